#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Start a small VM with two IOThreads, several disks, a block export and
a block node moved with x-blockdev-set-iothread on the patched QEMU, print
query-iothreads and HMP "info iothreads", and show object-del refusing an
IOThread that is in use."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

qemu = sys.argv[1]

vm = subprocess.Popen(
    [qemu, '-M', 'pc', '-accel', 'qtest', '-display', 'none',
     '-nodefaults', '-qmp', 'stdio',
     '-object', 'iothread,id=io0',
     '-object', 'iothread,id=io1',
     '-blockdev', 'null-co,node-name=disk0',
     '-blockdev', 'null-co,node-name=disk1',
     '-blockdev', 'null-co,node-name=disk2',
     '-blockdev', 'null-co,node-name=disk3',
     '-blockdev', 'null-co,node-name=exported',
     '-blockdev', 'null-co,node-name=scratch',
     '-device', 'virtio-blk-pci,id=vda,drive=disk0,iothread=io0',
     '-device', 'virtio-blk-pci,id=vdb,drive=disk1,iothread=io1',
     '-device', 'virtio-scsi-pci,id=scsi0,iothread=io0',
     '-device', 'scsi-hd,drive=disk2',
     '-device', json.dumps({
         'driver': 'virtio-blk-pci', 'id': 'vdc', 'drive': 'disk3',
         'num-queues': 4,
         'iothread-vq-mapping': [{'iothread': 'io0'}, {'iothread': 'io1'}]})],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def qmp(command, **arguments):
    request = {'execute': command}
    if arguments:
        request['arguments'] = arguments
    vm.stdin.write(json.dumps(request) + '\n')
    vm.stdin.flush()
    while True:
        reply = json.loads(vm.stdout.readline())
        if 'event' in reply:
            continue
        if 'error' in reply:
            return reply['error']
        return reply['return']


def show(title):
    print(f'--- {title}: query-iothreads')
    print(json.dumps(qmp('query-iothreads'), indent=2))
    print(f'--- {title}: info iothreads')
    print(qmp('human-monitor-command', **{'command-line': 'info iothreads'}))


json.loads(vm.stdout.readline())  # greeting
qmp('qmp_capabilities')
sock_dir = tempfile.mkdtemp()
qmp('nbd-server-start', addr={'type': 'unix', 'data': {
    'path': os.path.join(sock_dir, 'nbd.sock')}})
qmp('block-export-add', type='nbd', id='export0', iothread='io1',
    **{'node-name': 'exported'})
qmp('x-blockdev-set-iothread', iothread='io0', **{'node-name': 'scratch'})
show('at start')
print('--- object-del io1 while vdb, vdc and export0 use it')
print(json.dumps(qmp('object-del', id='io1'), indent=2))
qmp('quit')
vm.wait()
shutil.rmtree(sock_dir)
