// SPDX-License-Identifier: GPL-2.0-or-later

//! Which `IOThread` has which holders, shared by every thread.
//!
//! Why a table keyed by the `IOThread`'s address, not a field of
//! `struct IOThread` freed at finalize: the C ABI takes an opaque
//! `IOThread *`, and QEMU's C twin of these functions must be a drop-in, so
//! neither knows the layout.  Keying by address is safe: an entry exists only while it
//! has registrations, each holding a QOM reference, so every address in
//! the table is a live `IOThread`; an emptied entry is removed at once.
//!
//! One mutex guards the whole table: QEMU calls in under the BQL, so there
//! is no contention to shard away, and the mutex makes the library correct
//! without relying on the BQL.

use std::collections::{btree_map::Entry, BTreeMap};

use crate::{lock::Mutex, registry::Registry};

/// An `IOThread`'s identity: its address.
pub type IOThreadKey = usize;

/// The registries of all `IOThreads` that have holders.
pub struct HolderTable<P> {
    registries: Mutex<BTreeMap<IOThreadKey, Registry<P>>>,
}

impl<P: Send> HolderTable<P> {
    /// An empty table, for a `static`.
    pub const fn new() -> Self {
        Self {
            registries: Mutex::new(BTreeMap::new()),
        }
    }

    /// Records one registration of `holder` on `iothread`, keeping `pin`.
    pub fn register(&'static self, iothread: IOThreadKey, holder: &[u8], pin: P) {
        let mut registries = self.registries.lock();
        registries
            .entry(iothread)
            .or_default()
            .register(holder, pin);
    }

    /// Removes the newest registration of `holder` on `iothread` and returns
    /// its pin, or `None` if there is none.  The pin is returned rather than
    /// dropped so that the caller drops it after the table is unlocked.
    pub fn unregister(&'static self, iothread: IOThreadKey, holder: &[u8]) -> Option<P> {
        let mut registries = self.registries.lock();
        let Entry::Occupied(mut registry) = registries.entry(iothread) else {
            return None;
        };
        let pin = registry.get_mut().unregister(holder);
        if registry.get().is_empty() {
            registry.remove();
        }
        drop(registries);
        pin
    }

    /// Calls `visit` with the holders of `iothread`, oldest first, while the
    /// table is locked, so that the list is one consistent snapshot.
    pub fn with_holders<R>(
        &'static self,
        iothread: IOThreadKey,
        visit: impl FnOnce(&mut dyn ExactSizeIterator<Item = &[u8]>) -> R,
    ) -> R {
        let registries = self.registries.lock();
        match registries.get(&iothread) {
            Some(registry) => visit(&mut registry.holders()),
            None => visit(&mut std::iter::empty()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holders_of(table: &'static HolderTable<u8>, iothread: IOThreadKey) -> Vec<Vec<u8>> {
        table.with_holders(iothread, |holders| holders.map(<[u8]>::to_vec).collect())
    }

    #[test]
    fn iothreads_are_independent() {
        static TABLE: HolderTable<u8> = HolderTable::new();
        TABLE.register(1, b"a", 10);
        TABLE.register(2, b"b", 20);
        assert_eq!(holders_of(&TABLE, 1), [b"a"]);
        assert_eq!(holders_of(&TABLE, 2), [b"b"]);
        assert_eq!(TABLE.unregister(1, b"b"), None);
        assert_eq!(TABLE.unregister(2, b"b"), Some(20));
        assert!(holders_of(&TABLE, 2).is_empty());
        assert_eq!(holders_of(&TABLE, 1), [b"a"]);
    }

    #[test]
    fn emptied_iothreads_are_forgotten() {
        static TABLE: HolderTable<IOThreadKey> = HolderTable::new();
        for iothread in 0..100 {
            TABLE.register(iothread, b"a", iothread);
            assert_eq!(TABLE.unregister(iothread, b"a"), Some(iothread));
            assert_eq!(TABLE.unregister(iothread, b"a"), None);
        }
        assert!(TABLE.registries.lock().is_empty());
    }

    #[test]
    fn unknown_iothread_has_no_holders() {
        static TABLE: HolderTable<u8> = HolderTable::new();
        assert!(holders_of(&TABLE, 99).is_empty());
        assert_eq!(TABLE.unregister(99, b"a"), None);
    }
}
