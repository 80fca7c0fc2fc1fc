// SPDX-License-Identifier: GPL-2.0-or-later

//! The holder list of one `IOThread`, with no FFI and no `unsafe`.
//!
//! A *holder* is a byte string naming a user of the `IOThread`, usually a
//! canonical QOM path.  A *registration* is one outstanding `iothread_ref()`
//! of a holder; a holder registered twice is listed twice, and each
//! unregistration removes its newest registration.
//!
//! Each registration keeps a *pin* `P` (in QEMU a QOM reference), handed
//! back on unregistration so that the caller drops it after unlocking.
//!
//! Two ordered maps make every operation `O(log n)`: registrations by age,
//! the order they are listed in, and each holder's newest registration by
//! name; a registration remembers the one of the same name it shadows.
//! Names are compared, never hashed, so no choice of names collides.

use std::{
    collections::{btree_map::Entry, BTreeMap},
    sync::Arc,
};

/// When a registration was made: a counter that only grows.
type Age = u64;

struct Registration<P> {
    holder: Arc<[u8]>,
    /// The registration of the same holder that this one shadows.
    shadowed: Option<Age>,
    pin: P,
}

/// The registrations of one `IOThread`.
pub struct Registry<P> {
    by_age: BTreeMap<Age, Registration<P>>,
    newest_by_name: BTreeMap<Arc<[u8]>, Age>,
    next_age: Age,
}

impl<P> Registry<P> {
    /// An empty registry; allocates nothing.
    pub const fn new() -> Self {
        Self {
            by_age: BTreeMap::new(),
            newest_by_name: BTreeMap::new(),
            next_age: 0,
        }
    }

    /// Whether no registration is left.
    pub fn is_empty(&self) -> bool {
        self.by_age.is_empty()
    }

    /// Records one more registration of `holder`, keeping `pin` with it.
    pub fn register(&mut self, holder: &[u8], pin: P) {
        let age = self.next_age;
        self.next_age += 1;
        // One search: copy first; a duplicate drops the copy for the first.
        let (name, shadowed) = match self.newest_by_name.entry(Arc::from(holder)) {
            Entry::Vacant(vacant) => {
                let name = Arc::clone(vacant.key());
                vacant.insert(age);
                (name, None)
            }
            Entry::Occupied(mut occupied) => {
                let shadowed = std::mem::replace(occupied.get_mut(), age);
                (Arc::clone(occupied.key()), Some(shadowed))
            }
        };
        let registration = Registration {
            holder: name,
            shadowed,
            pin,
        };
        self.by_age.insert(age, registration);
    }

    /// Removes the newest registration of `holder` and returns its pin, or
    /// `None` if `holder` has no registration.
    pub fn unregister(&mut self, holder: &[u8]) -> Option<P> {
        let newest = self.newest_by_name.remove(holder)?;
        let registration = self
            .by_age
            .remove(&newest)
            .expect("a holder's newest registration is listed by age");
        if let Some(older) = registration.shadowed {
            self.newest_by_name.insert(registration.holder, older);
        }
        Some(registration.pin)
    }

    /// The holder of every registration, oldest first.
    pub fn holders(&self) -> impl ExactSizeIterator<Item = &[u8]> {
        self.by_age
            .values()
            .map(|registration| &*registration.holder)
    }
}

impl<P> Default for Registry<P> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed<P>(registry: &Registry<P>) -> Vec<&[u8]> {
        registry.holders().collect()
    }

    #[test]
    fn new_registry_is_empty() {
        let registry = Registry::<()>::new();
        assert!(registry.is_empty());
        assert!(listed(&registry).is_empty());
    }

    #[test]
    fn lists_oldest_first() {
        let mut registry = Registry::new();
        registry.register(b"c", 1);
        registry.register(b"a", 2);
        registry.register(b"b", 3);
        assert_eq!(listed(&registry), [b"c", b"a", b"b"]);
        assert_eq!(registry.unregister(b"a"), Some(2));
        assert_eq!(listed(&registry), [b"c", b"b"]);
    }

    #[test]
    fn duplicates_are_counted_and_need_one_unregister_each() {
        let mut registry = Registry::new();
        registry.register(b"d", 1);
        registry.register(b"d", 2);
        assert_eq!(listed(&registry), [b"d", b"d"]);
        assert!(registry.unregister(b"d").is_some());
        assert_eq!(listed(&registry), [b"d"]);
        assert!(registry.unregister(b"d").is_some());
        assert!(registry.is_empty());
        assert_eq!(registry.unregister(b"d"), None);
    }

    #[test]
    fn unregister_removes_the_newest_registration() {
        let mut registry = Registry::new();
        registry.register(b"x", 1);
        registry.register(b"y", 2);
        registry.register(b"x", 3);
        registry.register(b"x", 4);
        assert_eq!(registry.unregister(b"x"), Some(4));
        assert_eq!(registry.unregister(b"x"), Some(3));
        registry.register(b"x", 5);
        assert_eq!(listed(&registry), [b"x", b"y", b"x"]);
        assert_eq!(registry.unregister(b"x"), Some(5));
        assert_eq!(registry.unregister(b"x"), Some(1));
        assert_eq!(listed(&registry), [b"y"]);
    }

    #[test]
    fn unknown_holder_changes_nothing() {
        let mut registry = Registry::new();
        registry.register(b"a", 1);
        assert_eq!(registry.unregister(b"b"), None);
        assert_eq!(registry.unregister(b"a\0"), None);
        assert_eq!(listed(&registry), [b"a"]);
    }

    #[test]
    fn holders_are_bytes_not_text() {
        let mut registry = Registry::new();
        let odd: &[u8] = &[0xff, 0xfe, b'/', 0x80];
        registry.register(odd, ());
        registry.register(b"plain", ());
        assert_eq!(listed(&registry), [odd, b"plain"]);
        assert!(registry.unregister(odd).is_some());
        assert_eq!(listed(&registry), [b"plain"]);
    }
}
