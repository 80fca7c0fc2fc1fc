# SPDX-License-Identifier: GPL-2.0-or-later
"""A QEMU driven over QMP and the qtest protocol, both served by QEMU on
UNIX sockets: enough to hot-plug PCI devices and unplug them through the
ACPI eject register, as a guest would, without a guest."""

import json
import os
import socket
import subprocess
import tempfile
import time

ACPI_PCIHP_EJECT = 0xae08


# The member that names a holder, for each IOThreadHolderType
HOLDER_NAME = {'qom-object': 'qom-path', 'block-export': 'id',
               'block-node': 'node-name'}


def holder_key(holder):
    """An IOThreadHolder as a (type, name) pair; it has no other member."""
    kind = holder['type']
    assert set(holder) == {'type', HOLDER_NAME[kind]}, holder
    return kind, holder[HOLDER_NAME[kind]]


class Machine:
    """A QEMU with a QMP and a qtest socket, both served by QEMU."""

    def __init__(self, binary, args, wrapper=(), timeout=30):
        self.dir = tempfile.mkdtemp(prefix='qemu-machine-')
        self.timeout = timeout
        qmp_path = os.path.join(self.dir, 'qmp')
        qtest_path = os.path.join(self.dir, 'qtest')
        self.process = subprocess.Popen(
            [*wrapper, binary, '-M', 'pc', '-accel', 'qtest', '-display', 'none',
             '-nodefaults',
             '-qmp', f'unix:{qmp_path},server=on,wait=off',
             '-qtest', f'unix:{qtest_path},server=on,wait=off',
             '-qtest-log', '/dev/null'] + args,
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.dir, 'stderr'), 'w'))
        self.qmp_file = self._connect(qmp_path).makefile('rw')
        self.events = []  # events that arrived while waiting for a reply
        self.qtest_file = self._connect(qtest_path).makefile('rw')
        self._read_qmp()  # greeting
        self.qmp('qmp_capabilities')

    def _connect(self, path):
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                sock = socket.socket(socket.AF_UNIX)
                sock.connect(path)
                # A reply that never comes fails the caller, not the job
                sock.settimeout(self.timeout)
                return sock
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.001)

    def _read_qmp(self):
        return json.loads(self.qmp_file.readline())

    def qmp(self, command, **arguments):
        self.qmp_file.write(json.dumps({'execute': command,
                                        'arguments': arguments}) + '\n')
        self.qmp_file.flush()
        while True:
            reply = self._read_qmp()
            if 'event' in reply:
                self.events.append(reply)
            elif 'error' in reply:
                raise RuntimeError(f'{command}: {reply["error"]["desc"]}')
            else:
                return reply['return']

    def wait_event(self, name, device=None):
        """Waits for event @name, about @device if given, also if it arrived
        during an earlier command; earlier events are dropped."""
        while True:
            reply = self.events.pop(0) if self.events else self._read_qmp()
            if reply.get('event') == name and \
                    device in (None, reply.get('data', {}).get('device')):
                return reply

    def outl(self, address, value):
        self.qtest_file.write(f'outl {address:#x} {value:#x}\n')
        self.qtest_file.flush()
        assert self.qtest_file.readline().startswith('OK')

    def qmp_error(self, command, **arguments):
        """Runs a command that must fail, and returns its error text."""
        try:
            self.qmp(command, **arguments)
        except RuntimeError as error:
            return str(error)
        raise AssertionError(f'{command} {arguments} succeeded')

    def eject(self, device, slot):
        """device_del, then eject the slot as the guest's ACPI code would;
        DEVICE_DELETED comes once the device is finalized."""
        self.qmp('device_del', id=device)
        self.outl(ACPI_PCIHP_EJECT, 1 << slot)

    def unplug(self, device, slot):
        """eject(), and wait until the device is gone."""
        self.eject(device, slot)
        self.wait_event('DEVICE_DELETED', device)

    def holders(self):
        """Each IOThread's holders, as (type, name) pairs."""
        return {info['id']: [holder_key(holder) for holder in info['holders']]
                for info in self.qmp('query-iothreads')}

    def quit(self):
        """Quits QEMU and returns what it printed on stderr."""
        try:
            self.qmp('quit')
        except (RuntimeError, OSError, ValueError):
            pass
        try:
            self.process.wait(self.timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with open(os.path.join(self.dir, 'stderr')) as log:
            stderr = log.read()
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)
        return stderr


