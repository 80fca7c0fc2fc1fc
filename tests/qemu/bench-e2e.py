#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""End-to-end cost of the series on a real QEMU: the patched and the
unpatched build of the same source and configuration run the same
workloads, alternately, and the ratio of their medians is printed.

- hotplug: device_add of a virtio-blk-pci on an IOThread, then ACPI
  unplug (the eject register written through the qtest protocol, as a
  guest would), repeated;
- start-up: launch with many IOThread-attached virtio-blk disks until
  QMP answers, then quit.

usage: bench-e2e.py PATCHED-QEMU UNPATCHED-QEMU [ROUNDS]"""

import statistics
import sys
import time

from qemu_machine import Machine

SLOT = 6
HOTPLUG_CYCLES = 50
STARTUP_DISKS = 64
STARTUP_IOTHREADS = 4


def hotplug(binary):
    """Seconds per plug+unplug cycle."""
    vm = Machine(binary, ['-object', 'iothread,id=io0'])
    for cycle in range(HOTPLUG_CYCLES):
        vm.qmp('blockdev-add', driver='null-co', **{'node-name': f'n{cycle}'})
    start = time.perf_counter()
    for cycle in range(HOTPLUG_CYCLES):
        vm.qmp('device_add', driver='virtio-blk-pci', id='hot',
               drive=f'n{cycle}', iothread='io0', addr=str(SLOT))
        vm.unplug('hot', SLOT)
    elapsed = time.perf_counter() - start
    vm.quit()
    return elapsed / HOTPLUG_CYCLES


def startup(binary):
    """Seconds from launch to a QMP answer with many IOThread disks."""
    args = []
    for i in range(STARTUP_IOTHREADS):
        args += ['-object', f'iothread,id=io{i}']
    for i in range(STARTUP_DISKS):
        bus = f'bridge{i // 30}'
        if i % 30 == 0:
            args += ['-device', f'pci-bridge,id={bus},chassis_nr={i // 30 + 1}']
        args += ['-blockdev', f'null-co,node-name=d{i}',
                 '-device', f'virtio-blk-pci,drive=d{i},bus={bus},'
                            f'addr={i % 30 + 1:#x},'
                            f'iothread=io{i % STARTUP_IOTHREADS}']
    start = time.perf_counter()
    vm = Machine(binary, args)
    vm.qmp('query-iothreads')
    elapsed = time.perf_counter() - start
    vm.quit()
    return elapsed


def main():
    patched, unpatched = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    results = {(workload, build): []
               for workload in ('hotplug', 'start-up')
               for build in ('patched', 'unpatched')}
    for binary in (unpatched, patched):  # warm the page cache
        startup(binary)
    for _ in range(rounds):
        for build, binary in (('unpatched', unpatched), ('patched', patched)):
            results[('hotplug', build)].append(hotplug(binary))
            results[('start-up', build)].append(startup(binary))
    print(f'{"workload":<42} {"unpatched ms":>12} {"patched ms":>12} '
          f'{"patched/unpatched":>18}')
    for workload, label in (
            ('hotplug', f'hotplug+ACPI unplug, per cycle ({HOTPLUG_CYCLES}/run)'),
            ('start-up', f'start-up, {STARTUP_DISKS} disks on '
                         f'{STARTUP_IOTHREADS} IOThreads')):
        before = statistics.median(results[(workload, 'unpatched')]) * 1000
        after = statistics.median(results[(workload, 'patched')]) * 1000
        print(f'{label:<42} {before:12.2f} {after:12.2f} {after / before:18.3f}')
    print(f'(medians of {rounds} alternating rounds)')


if __name__ == '__main__':
    main()
