// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (c) the iothread-holders authors

//! Which IOThread has which holders, shared by every thread.
//!
//! The library cannot add a field to QEMU's `struct IOThread`, so the
//! registries live in one table keyed by the IOThread's address.  In QEMU
//! every registration pins its IOThread, so an address with registrations
//! always belongs to a live IOThread.  A few emptied registries are kept
//! for reuse (a device unplugged and plugged again should not reallocate
//! everything); being empty, they are harmless if their IOThread is freed
//! and its address reused.
//!
//! One lock guards the whole table.  QEMU calls in under the BQL, so there
//! is no contention to shard away; the lock is what makes the library
//! correct without relying on the BQL.

use std::{
    collections::HashMap,
    hash::{BuildHasherDefault, Hasher},
};

use crate::{
    lock::{SpinLock, SpinLockGuard},
    registry::HolderRegistry,
};

/// An IOThread's identity: its address.
pub type IOThreadKey = usize;

/// Emptied registries kept for reuse, at most.
const EMPTY_REGISTRIES_KEPT: usize = 8;

/// Hashes IOThread addresses, which are distinct by construction: a
/// multiply spreads them at a fraction of SipHash's cost.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        let product = (self.0 ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        // Aligned addresses have zero low bits: bring the mixed high bits
        // down to where the table takes its bucket from.
        self.0 = product ^ (product >> 32);
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

struct Registries<P> {
    /// The registry used last, kept apart from the others: QEMU registers
    /// and unregisters in runs on one IOThread (a device's realize, a
    /// loop over disks), and a run then skips the hash lookup.
    recent: Option<(IOThreadKey, HolderRegistry<P>)>,
    others: HashMap<IOThreadKey, HolderRegistry<P>, BuildHasherDefault<AddressHasher>>,
    /// How many registries, `recent` included, are empty.
    empty: usize,
}

impl<P> Registries<P> {
    /// Makes `iothread`'s registry the recent one, creating it if asked,
    /// and returns it; `None` if it does not exist and was not created.
    #[inline]
    fn make_recent(
        &mut self,
        iothread: IOThreadKey,
        create: bool,
    ) -> Option<&mut HolderRegistry<P>> {
        if !matches!(self.recent, Some((key, _)) if key == iothread) {
            let registry = match self.others.remove(&iothread) {
                Some(registry) => registry,
                None if create => {
                    self.empty += 1;
                    HolderRegistry::new()
                }
                None => return None,
            };
            if let Some((key, previous)) = self.recent.replace((iothread, registry)) {
                self.others.insert(key, previous);
            }
        }
        self.recent.as_mut().map(|(_, registry)| registry)
    }

    fn get(&self, iothread: IOThreadKey) -> Option<&HolderRegistry<P>> {
        match &self.recent {
            Some((key, registry)) if *key == iothread => Some(registry),
            _ => self.others.get(&iothread),
        }
    }

    fn register(&mut self, iothread: IOThreadKey, holder: &[u8], pin: P) {
        let registry = self
            .make_recent(iothread, true)
            .expect("created if missing");
        let was_empty = registry.is_empty();
        registry.register(holder, pin);
        if was_empty {
            self.empty -= 1;
        }
    }

    fn unregister(&mut self, iothread: IOThreadKey, holder: &[u8]) -> Option<P> {
        let registry = self.make_recent(iothread, false)?;
        let pin = registry.unregister(holder)?;
        if registry.is_empty() {
            self.empty += 1;
            if self.empty > EMPTY_REGISTRIES_KEPT {
                self.others.retain(|_, kept| !kept.is_empty());
                // Only the recent registry, just emptied, is left empty.
                self.empty = 1;
            }
        }
        Some(pin)
    }
}

/// The registries of all IOThreads that have holders.
pub struct HolderTable<P> {
    registries: SpinLock<Registries<P>>,
}

impl<P> HolderTable<P> {
    /// An empty table; `const`, so that the library's table is a plain
    /// static with nothing to initialize on first use.
    pub const fn new() -> Self {
        Self {
            registries: SpinLock::new(Registries {
                recent: None,
                others: HashMap::with_hasher(BuildHasherDefault::new()),
                empty: 0,
            }),
        }
    }

    fn lock(&self) -> SpinLockGuard<'_, Registries<P>> {
        self.registries.lock()
    }

    /// Records one registration of `holder` on `iothread`, keeping `pin`.
    pub fn register(&self, iothread: IOThreadKey, holder: &[u8], pin: P) {
        self.lock().register(iothread, holder, pin);
    }

    /// Removes the newest registration of `holder` on `iothread` and returns
    /// its pin, or `None` if there is none.  The pin is returned rather than
    /// dropped so that the caller drops it after the lock is released.
    pub fn unregister(&self, iothread: IOThreadKey, holder: &[u8]) -> Option<P> {
        self.lock().unregister(iothread, holder)
    }

    /// Calls `visit` with the holders of `iothread`, oldest first, while the
    /// table is locked, so that the list is one consistent snapshot.
    pub fn with_holders<R>(
        &self,
        iothread: IOThreadKey,
        visit: impl FnOnce(&mut dyn ExactSizeIterator<Item = &[u8]>) -> R,
    ) -> R {
        let registries = self.lock();
        match registries.get(iothread) {
            Some(registry) => visit(&mut registry.holders()),
            None => visit(&mut std::iter::empty::<&[u8]>()),
        }
    }
}

impl<P> Default for HolderTable<P> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holders_of(table: &HolderTable<u8>, iothread: IOThreadKey) -> Vec<Vec<u8>> {
        table.with_holders(iothread, |holders| holders.map(<[u8]>::to_vec).collect())
    }

    #[test]
    fn iothreads_are_independent() {
        let table = HolderTable::default();
        table.register(1, b"a", 10);
        table.register(2, b"b", 20);
        assert_eq!(holders_of(&table, 1), [b"a"]);
        assert_eq!(holders_of(&table, 2), [b"b"]);
        assert_eq!(table.unregister(1, b"b"), None);
        assert_eq!(table.unregister(2, b"b"), Some(20));
        assert!(holders_of(&table, 2).is_empty());
        assert_eq!(holders_of(&table, 1), [b"a"]);
    }

    #[test]
    fn few_emptied_iothreads_are_kept() {
        let table = HolderTable::default();
        for iothread in 0..100 {
            table.register(iothread, b"a", iothread);
            assert_eq!(table.unregister(iothread, b"a"), Some(iothread));
            assert_eq!(table.unregister(iothread, b"a"), None);
        }
        let (kept, empty) = {
            let registries = table.lock();
            let recent = usize::from(registries.recent.is_some());
            (registries.others.len() + recent, registries.empty)
        };
        assert!(kept <= EMPTY_REGISTRIES_KEPT);
        assert_eq!(empty, kept);
    }

    #[test]
    fn a_kept_registry_is_reused() {
        let table = HolderTable::default();
        table.register(7, b"a", 1);
        assert_eq!(table.unregister(7, b"a"), Some(1));
        table.register(7, b"b", 2);
        assert_eq!(holders_of(&table, 7), [b"b"]);
        assert_eq!(table.lock().empty, 0);
    }

    #[test]
    fn unknown_iothread_has_no_holders() {
        let table = HolderTable::<u8>::default();
        assert!(holders_of(&table, 99).is_empty());
        assert_eq!(table.unregister(99, b"a"), None);
    }

    #[test]
    fn concurrent_use_loses_nothing() {
        let table = HolderTable::default();
        std::thread::scope(|scope| {
            for thread in 0..4u8 {
                let table = &table;
                scope.spawn(move || {
                    let private = format!("private-{thread}").into_bytes();
                    for _ in 0..1_000 {
                        table.register(0, b"shared", thread);
                        table.register(IOThreadKey::from(thread) + 1, &private, thread);
                        assert!(table.unregister(0, b"shared").is_some());
                    }
                });
            }
        });
        assert!(holders_of(&table, 0).is_empty());
        for thread in 0..4u8 {
            let private = format!("private-{thread}").into_bytes();
            assert_eq!(
                holders_of(&table, IOThreadKey::from(thread) + 1),
                vec![private; 1_000]
            );
        }
    }
}
