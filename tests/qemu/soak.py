#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Soak: hot-plug and unplug virtio-blk and virtio-scsi devices across
several IOThreads, many times, on the patched QEMU, under valgrind
memcheck or built with sanitizers, and check that nothing is left behind:

- after every cycle the holder lists are exactly those at the start;
- object-del of an IOThread in use fails and names a holder, and the
  device can still be unplugged afterwards;
- a device_add that fails leaves no holder, also when it fails after
  the device registered;
- a block node moved by x-blockdev-set-iothread holds its IOThread
  until it moves on or is deleted, also after a block-export-add that
  moves it elsewhere and fails;
- a virtio-scsi controller with a disk, on an IOThread of its own, is
  unplugged as a whole; the IOThread is deleted right after the eject or
  as soon as the controller's DEVICE_DELETED arrives, and then the disk's
  node (a throttle node, whose timers live in the AioContext) is read and
  deleted, which must not touch the deleted IOThread;
- at the end, with every device unplugged, object-del of every IOThread
  succeeds and its thread exits, so every QOM reference the cycles took
  was dropped;
- under valgrind, no error at all, and no definite leak through the
  library or the code the series changes;
- QEMU prints nothing unexpected on stderr (a GLib critical or warning,
  an assertion, a report of AddressSanitizer, LeakSanitizer or UBSan).

usage: soak.py QEMU [CYCLES] [--valgrind]"""

import os
import re
import sys
import time

from qemu_machine import Machine

IOTHREADS = ['io0', 'io1', 'io2']
BLK_SLOT, SCSI_SLOT, DISKS_SLOT = 6, 7, 8
# What QEMU must not print on stderr (valgrind writes to its own log file)
UNEXPECTED = re.compile(r'CRITICAL|WARNING|[Aa]ssertion|Sanitizer|'
                        r'runtime error|Segmentation|Aborted|\*\*')
# What AddressSanitizer says at start about QEMU's ucontext coroutines
ASAN_COROUTINE_WARNING = re.compile(
    r"==\d+==WARNING: ASan doesn't fully support makecontext/swapcontext "
    r"functions and may produce false positives in some cases!")
COLD = {
    'io0': [('qom-object', '/machine/peripheral/vda/virtio-backend')],
    'io1': [('qom-object', '/machine/peripheral/scsi0/virtio-backend')],
    'io2': [],
}
# Stack frames of the library and of the code the series adds or changes.
OURS = re.compile(r'iothread_holders|iothread_(ref|unref|add_holder|remove_holder|foreach_holder|get_holders)\b|'
                  r'iothread_vq_mapping|virtio_blk_vq_aio_context|'
                  r'virtio_scsi_dataplane|query_one_iothread|'
                  r'iothread_can_be_deleted|user_creatable_can_be_deleted|'
                  r'hmp_info_iothreads|colo_compare|blk_exp_|'
                  r'virtio_balloon_device_(un)?realize|'
                  r'block_node_iothread|iothread_(hold|release)_aio_context|'
                  r'iothread_holder_')


def iothread_threads(pid):
    """Which of our IOThreads have a thread in the process ("IO io0", ...;
    QEMU's internal mon_iothread is not ours)."""
    names = set()
    for task in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{task}/comm') as comm:
                name = comm.read().strip()
        except FileNotFoundError:
            continue
        if name.startswith('IO ') and name[3:] in IOTHREADS:
            names.add(name[3:])
    return names


def wait_for(condition, what, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f'timed out waiting for {what}')
        time.sleep(0.05)


def definite_leaks(valgrind_log):
    """(all, ours): the definite leak records of a memcheck log, and those
    whose stack passes through code of ours."""
    records = re.split(r'\n(?===\d+== \S.*are definitely lost)', valgrind_log)
    leaks = [record for record in records if 'definitely lost in loss' in record]
    return leaks, [leak for leak in leaks if OURS.search(leak)]


def try_blockdev_del(vm, node):
    try:
        vm.qmp('blockdev-del', **{'node-name': node})
        return True
    except RuntimeError:
        return False


def main():
    binary = sys.argv[1]
    cycles = int(next((a for a in sys.argv[2:] if a.isdigit()), '50'))
    valgrind = '--valgrind' in sys.argv
    log = f'/tmp/soak-valgrind-{os.getpid()}.log'
    wrapper = ['valgrind', '--leak-check=full', '--show-leak-kinds=definite',
               '--errors-for-leak-kinds=definite', f'--log-file={log}',
               '--num-callers=40'] if valgrind else []
    nbd_socket = f'/tmp/soak-nbd-{os.getpid()}.sock'
    args = ['-name', 'soak,debug-threads=on']
    for iothread in IOTHREADS:
        args += ['-object', f'iothread,id={iothread}']
    args += ['-blockdev', 'null-co,node-name=cold0',
             '-blockdev', 'null-co,node-name=cold1',
             '-device', 'virtio-blk-pci,id=vda,drive=cold0,iothread=io0,addr=4',
             '-device', 'virtio-scsi-pci,id=scsi0,iothread=io1,addr=5',
             '-device', 'scsi-hd,drive=cold1',
             '-object', 'throttle-group,id=tg0']
    # A QMP reply or event that does not come in time fails the soak.  On
    # a loaded 2-core machine the sanitizer build once had not sent a
    # controller's DEVICE_DELETED after 30 s, although the controller had
    # left the QOM tree and the holder lists were right; 800 cycles passed
    # since, unloaded and three soaks at a time.  Allow 120 s.
    vm = Machine(binary, args, wrapper, timeout=300 if valgrind else 120)
    start = time.monotonic()
    assert vm.holders() == COLD, vm.holders()
    # Threads name themselves once running: give them a moment.
    wait_for(lambda: iothread_threads(vm.process.pid) == set(IOTHREADS),
             'the IOThreads to start', 60)
    # An export whose NBD name later exports take, and fail
    vm.qmp('nbd-server-start',
           addr={'type': 'unix', 'data': {'path': nbd_socket}})
    vm.qmp('blockdev-add', driver='null-co', **{'node-name': 'exported'})
    vm.qmp('block-export-add', type='nbd', id='taken', name='taken',
           **{'node-name': 'exported'})

    refusals = failed_adds = 0
    for cycle in range(cycles):
        blk_on = IOTHREADS[cycle % 3]
        scsi_on = IOTHREADS[(cycle + 1) % 3]
        node = f'hot{cycle}'
        vm.qmp('blockdev-add', driver='null-co', **{'node-name': node})

        vm.qmp('device_add', driver='virtio-blk-pci', id='hotblk', drive=node,
               iothread=blk_on, addr=str(BLK_SLOT))
        vm.qmp('device_add', driver='virtio-scsi-pci', id='hotscsi',
               iothread=scsi_on, addr=str(SCSI_SLOT))
        expected = {iothread: list(holders) for iothread, holders in COLD.items()}
        expected[blk_on].append(
            ('qom-object', '/machine/peripheral/hotblk/virtio-backend'))
        expected[scsi_on].append(
            ('qom-object', '/machine/peripheral/hotscsi/virtio-backend'))
        assert vm.holders() == expected, (cycle, vm.holders())

        # The IOThread in use cannot go, and says who holds it.
        error = vm.qmp_error('object-del', id=blk_on)
        assert f"IOThread '{blk_on}' is in use by '" in error, error
        refusals += 1

        # A device that fails to realize leaves nothing behind, whether it
        # fails before registering or after: a PCI proxy looks for its
        # option ROM only once the virtio device inside it is realized.
        vm.qmp_error('device_add', driver='virtio-blk-pci', id='broken',
                     drive=node, iothread=blk_on,
                     **{'iothread-vq-mapping': [{'iothread': blk_on}]})
        vm.qmp_error('device_add', driver='virtio-scsi-pci', id='broken',
                     iothread='no-such-iothread')
        vm.qmp('blockdev-add', driver='null-co', **{'node-name': 'late'})
        for device in ({'driver': 'virtio-blk-pci', 'drive': 'late',
                        'iothread': blk_on},
                       {'driver': 'virtio-blk-pci', 'drive': 'late',
                        'iothread-vq-mapping': [{'iothread': blk_on},
                                                {'iothread': scsi_on}]},
                       {'driver': 'virtio-scsi-pci', 'iothread': scsi_on}):
            error = vm.qmp_error('device_add', id='broken',
                                 romfile='no-such-rom.bin', **device)
            assert 'failed to find romfile' in error, error
        vm.qmp('blockdev-del', **{'node-name': 'late'})
        failed_adds += 5
        assert vm.holders() == expected, (cycle, vm.holders())

        # A node moved by x-blockdev-set-iothread holds its IOThread until
        # it moves on, and then until it is deleted.
        vm.qmp('blockdev-add', driver='null-co', **{'node-name': 'moved'})
        vm.qmp('x-blockdev-set-iothread', iothread=scsi_on,
               **{'node-name': 'moved'})
        vm.qmp('x-blockdev-set-iothread', iothread=blk_on,
               **{'node-name': 'moved'})
        assert vm.holders()[blk_on][-1] == ('block-node', 'moved'), cycle
        # An export that moves it to another IOThread and fails leaves it
        # held where it was.
        vm.qmp_error('block-export-add', type='nbd', id='failing',
                     name='taken', iothread=scsi_on, **{'node-name': 'moved',
                                                        'fixed-iothread': True})
        assert vm.holders()[blk_on][-1] == ('block-node', 'moved'), cycle
        assert vm.holders()[scsi_on] == expected[scsi_on], cycle
        vm.qmp('blockdev-del', **{'node-name': 'moved'})
        assert vm.holders() == expected, (cycle, vm.holders())

        # A controller with a disk goes as a whole, its disk only after an
        # RCU grace period: deleting its IOThread right after the eject
        # (even cycles) or once the controller is gone (odd cycles), then
        # reading and deleting the disk's node, must be safe.
        disk = f'disk{cycle}'
        vm.qmp('object-add', **{'qom-type': 'iothread', 'id': 'ioscsi'})
        vm.qmp('blockdev-add', driver='throttle', file={'driver': 'null-co'},
               **{'node-name': disk, 'throttle-group': 'tg0'})
        vm.qmp('device_add', driver='virtio-scsi-pci', id='disks',
               iothread='ioscsi', addr=str(DISKS_SLOT))
        vm.qmp('device_add', driver='scsi-hd', bus='disks.0', drive=disk)
        assert vm.holders()['ioscsi'] == [
            ('qom-object', '/machine/peripheral/disks/virtio-backend')], cycle
        vm.eject('disks', DISKS_SLOT)
        if cycle % 2:
            vm.wait_event('DEVICE_DELETED', 'disks')
        vm.qmp('object-del', id='ioscsi')
        # qemu-io prints to QEMU's stdout; the monitor shows only an error
        read = vm.qmp('human-monitor-command',
                      **{'command-line': f'qemu-io {disk} "read 0 4k"'})
        assert read == '', (cycle, read)
        wait_for(lambda: try_blockdev_del(vm, disk),
                 f'{disk} to be released by its disk', 60)
        if cycle % 2 == 0:
            vm.wait_event('DEVICE_DELETED', 'disks')
        assert vm.holders() == expected, (cycle, vm.holders())

        # Unplug still works after the refusal.
        vm.unplug('hotblk', BLK_SLOT)
        vm.unplug('hotscsi', SCSI_SLOT)
        assert vm.holders() == COLD, (cycle, vm.holders())

    # Drop the cold-plugged devices too: then every IOThread is unused,
    # can be deleted, and is finalized, its thread exiting.
    vm.unplug('vda', 4)
    vm.unplug('scsi0', 5)
    assert vm.holders() == {iothread: [] for iothread in IOTHREADS}
    for iothread in IOTHREADS:
        vm.qmp('object-del', id=iothread)
    assert vm.holders() == {}
    wait_for(lambda: not iothread_threads(vm.process.pid),
             'every IOThread to be finalized', 60)
    elapsed = time.monotonic() - start
    stderr = vm.quit()
    os.unlink(nbd_socket)
    unexpected = [line for line in stderr.splitlines()
                  if UNEXPECTED.search(line) and
                  not ASAN_COROUTINE_WARNING.fullmatch(line)]
    if unexpected:
        print('QEMU printed on stderr:\n' + '\n'.join(unexpected))
        sys.exit(1)

    print(f'{cycles} cycles in {elapsed:.1f} s: holder lists back to the '
          f'start after each; {refusals} object-del refused while in use; '
          f'{failed_adds} failing device_add left no holder; all '
          f'{len(IOTHREADS)} IOThreads deleted and finalized at the end')
    if valgrind:
        with open(log) as valgrind_log:
            text = valgrind_log.read()
        leaks, ours = definite_leaks(text)
        errors = re.search(r'ERROR SUMMARY: ([\d,]+) errors', text)
        if not errors or errors.group(1) != '0':
            print(text)
            print(f'valgrind: {errors.group(0) if errors else "no error summary"}')
            sys.exit(1)
        summary = re.search(r'definitely lost: ([\d,]+) bytes in ([\d,]+) blocks',
                            text)
        print(f'valgrind: {summary.group(0) if summary else "no leak summary"}; '
              f'{len(leaks)} definite leak records, {len(ours)} through the '
              f'library or the series')
        for leak in ours:
            print(leak)
        if ours:
            sys.exit(1)
        os.unlink(log)


if __name__ == '__main__':
    main()
