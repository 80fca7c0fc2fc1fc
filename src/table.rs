// SPDX-License-Identifier: GPL-2.0-or-later

//! Which `IOThread` has which holders: QEMU global state, which the BQL
//! protects, so the table has no lock of its own.
//!
//! The table is keyed by the `IOThread`'s address, not a field of
//! `struct IOThread` freed at finalize: the C ABI takes an opaque
//! `IOThread *`, as QEMU's C twin of these functions does.  Keying by
//! address is safe: an entry exists only while it has registrations, each
//! of which pins its `IOThread` (a QOM reference), so every address in the
//! table is a live `IOThread`; an emptied entry is removed at once.
//!
//! The table is a `bql::BqlRefCell`, QEMU's cell for state the BQL
//! protects: a borrow without the BQL, or one that conflicts with another
//! (a callback of `for_each` that adds or removes a holder), panics.

use std::{collections::BTreeMap, ffi::CStr};

use bql::BqlRefCell;

use crate::registry::{HolderType, Registry};

/// An `IOThread`'s identity: its address.
pub type IOThreadKey = usize;

/// The registries of all `IOThreads` that have holders.
pub struct HolderTable<P> {
    registries: BqlRefCell<BTreeMap<IOThreadKey, Registry<P>>>,
}

impl<P> HolderTable<P> {
    /// An empty table, for a `static`.
    pub const fn new() -> Self {
        Self {
            registries: BqlRefCell::new(BTreeMap::new()),
        }
    }

    /// Records one registration of `(holder_type, name)` on `iothread`,
    /// keeping `pin` with it.
    pub fn add(&self, iothread: IOThreadKey, holder_type: HolderType, name: &CStr, pin: P) {
        self.registries
            .borrow_mut()
            .entry(iothread)
            .or_default()
            .add(holder_type, name, pin);
    }

    /// Removes the newest registration of `(holder_type, name)` on
    /// `iothread` and returns its pin, or `None` if there is none.  The pin
    /// is returned, not dropped, so that the caller drops it once the table
    /// is no longer borrowed.
    pub fn remove(&self, iothread: IOThreadKey, holder_type: HolderType, name: &CStr) -> Option<P> {
        let mut registries = self.registries.borrow_mut();
        let registry = registries.get_mut(&iothread)?;
        let pin = registry.remove(holder_type, name);
        if registry.is_empty() {
            registries.remove(&iothread);
        }
        pin
    }

    /// Calls `visit` with each registration of a holder on `iothread`,
    /// oldest first, while the table is borrowed.
    pub fn for_each(&self, iothread: IOThreadKey, mut visit: impl FnMut(HolderType, &CStr)) {
        let registries = self.registries.borrow();
        for (holder_type, name) in registries
            .get(&iothread)
            .into_iter()
            .flat_map(Registry::holders)
        {
            visit(holder_type, name);
        }
    }
}
