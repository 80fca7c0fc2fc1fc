// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (c) the iothread-holders authors

//! Which IOThread has which holders, shared by every thread.
//!
//! The library cannot add a field to QEMU's `struct IOThread`, so the
//! registries live in one table keyed by the IOThread's address.  An entry
//! exists only while it has registrations, and in QEMU every registration
//! pins its IOThread, so an address in the table always belongs to a live
//! IOThread: it cannot be freed, and its address reused, while listed.
//!
//! One mutex guards the whole table.  QEMU calls in under the BQL, so there
//! is no contention to shard away; the lock is what makes the library
//! correct without relying on the BQL.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};

use crate::registry::HolderRegistry;

/// An IOThread's identity: its address.
pub type IOThreadKey = usize;

/// The registries of all IOThreads that have holders.
pub struct HolderTable<P> {
    registries: Mutex<HashMap<IOThreadKey, HolderRegistry<P>>>,
}

impl<P> Default for HolderTable<P> {
    fn default() -> Self {
        Self {
            registries: Mutex::new(HashMap::new()),
        }
    }
}

impl<P> HolderTable<P> {
    fn lock(&self) -> MutexGuard<'_, HashMap<IOThreadKey, HolderRegistry<P>>> {
        // Registry operations do not panic (an allocation failure aborts),
        // so a poisoned lock still guards consistent data.
        self.registries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records one registration of `holder` on `iothread`, keeping `pin`.
    pub fn register(&self, iothread: IOThreadKey, holder: &[u8], pin: P) {
        self.lock()
            .entry(iothread)
            .or_default()
            .register(holder, pin);
    }

    /// Removes the newest registration of `holder` on `iothread` and returns
    /// its pin, or `None` if there is none.  The pin is returned rather than
    /// dropped so that the caller drops it after the lock is released.
    pub fn unregister(&self, iothread: IOThreadKey, holder: &[u8]) -> Option<P> {
        let mut registries = self.lock();
        let registry = registries.get_mut(&iothread)?;
        let pin = registry.unregister(holder);
        if registry.is_empty() {
            registries.remove(&iothread);
        }
        pin
    }

    /// Calls `visit` with the holders of `iothread`, oldest first, while the
    /// table is locked, so that the list is one consistent snapshot.
    pub fn with_holders<R>(
        &self,
        iothread: IOThreadKey,
        visit: impl FnOnce(&mut dyn ExactSizeIterator<Item = &[u8]>) -> R,
    ) -> R {
        let registries = self.lock();
        match registries.get(&iothread) {
            Some(registry) => visit(&mut registry.holders()),
            None => visit(&mut std::iter::empty::<&[u8]>()),
        }
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
    fn an_emptied_iothread_leaves_no_entry() {
        let table = HolderTable::default();
        table.register(7, b"a", 1);
        assert_eq!(table.unregister(7, b"a"), Some(1));
        assert!(table.lock().is_empty());
        assert_eq!(table.unregister(7, b"a"), None);
        assert!(table.lock().is_empty());
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
