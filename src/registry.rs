// SPDX-License-Identifier: GPL-2.0-or-later

//! The holders of one `IOThread`, with no FFI and no `unsafe`.
//!
//! A *holder* is a type and a name: the type is the value of QEMU's QAPI
//! enum `IOThreadHolderType`, which this module never interprets, and the
//! name says which holder of that type (a canonical QOM path, a block
//! export id, a node name).  A *registration* is one outstanding addition
//! of a holder; a holder added twice is listed twice, and each removal
//! removes its newest registration.
//!
//! Each registration keeps a *pin* `P` (in QEMU a QOM reference on the
//! `IOThread`), handed back on removal so that the caller decides when to
//! drop it.
//!
//! Two ordered maps make every operation `O(log n)`: registrations by age,
//! the order they are listed in, and each holder's newest registration by
//! type and name; a registration remembers the one of the same holder that
//! it shadows.  Names are compared, never hashed, so no choice of names
//! collides.

use std::{
    collections::{btree_map::Entry, BTreeMap},
    ffi::{c_uint, CStr},
    sync::Arc,
};

/// A holder's type: a value of the C enum `IOThreadHolderType`, opaque.
pub type HolderType = c_uint;

/// When a registration was made: a counter that only grows.
type Age = u64;

struct Registration<P> {
    holder_type: HolderType,
    name: Arc<CStr>,
    /// The registration of the same holder that this one shadows.
    shadowed: Option<Age>,
    pin: P,
}

/// The registrations of one `IOThread`.
pub struct Registry<P> {
    by_age: BTreeMap<Age, Registration<P>>,
    newest: BTreeMap<HolderType, BTreeMap<Arc<CStr>, Age>>,
    next_age: Age,
}

impl<P> Registry<P> {
    /// An empty registry; allocates nothing.
    pub const fn new() -> Self {
        Self {
            by_age: BTreeMap::new(),
            newest: BTreeMap::new(),
            next_age: 0,
        }
    }

    /// Whether no registration is left.
    pub fn is_empty(&self) -> bool {
        self.by_age.is_empty()
    }

    /// Records one more registration of the holder `(holder_type, name)`,
    /// keeping `pin` with it.  `name` is copied.
    pub fn add(&mut self, holder_type: HolderType, name: &CStr, pin: P) {
        let age = self.next_age;
        self.next_age += 1;
        let names = self.newest.entry(holder_type).or_default();
        // One search: copy first; a duplicate drops the copy for the first.
        let (shared, shadowed) = match names.entry(Arc::from(name)) {
            Entry::Vacant(vacant) => {
                let shared = Arc::clone(vacant.key());
                vacant.insert(age);
                (shared, None)
            }
            Entry::Occupied(mut occupied) => {
                let shadowed = std::mem::replace(occupied.get_mut(), age);
                (Arc::clone(occupied.key()), Some(shadowed))
            }
        };
        let registration = Registration {
            holder_type,
            name: shared,
            shadowed,
            pin,
        };
        self.by_age.insert(age, registration);
    }

    /// Removes the newest registration of the holder `(holder_type, name)`
    /// and returns its pin, or `None` if that holder has no registration.
    pub fn remove(&mut self, holder_type: HolderType, name: &CStr) -> Option<P> {
        let names = self.newest.get_mut(&holder_type)?;
        let newest = names.remove(name)?;
        let registration = self
            .by_age
            .remove(&newest)
            .expect("a holder's newest registration is listed by age");
        match registration.shadowed {
            Some(older) => {
                names.insert(registration.name, older);
            }
            None if names.is_empty() => {
                self.newest.remove(&holder_type);
            }
            None => {}
        }
        Some(registration.pin)
    }

    /// The holder of every registration, oldest first.
    pub fn holders(&self) -> impl ExactSizeIterator<Item = (HolderType, &CStr)> {
        self.by_age
            .values()
            .map(|registration| (registration.holder_type, &*registration.name))
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

    const QOM: HolderType = 0;
    const EXPORT: HolderType = 1;

    fn listed<P>(registry: &Registry<P>) -> Vec<(HolderType, &[u8])> {
        registry
            .holders()
            .map(|(holder_type, name)| (holder_type, name.to_bytes()))
            .collect()
    }

    #[test]
    fn new_registry_is_empty() {
        let registry = Registry::<()>::new();
        assert!(registry.is_empty());
        assert!(listed(&registry).is_empty());
    }

    #[test]
    fn lists_oldest_first_across_types() {
        let mut registry = Registry::new();
        registry.add(QOM, c"c", 1);
        registry.add(EXPORT, c"a", 2);
        registry.add(QOM, c"b", 3);
        assert_eq!(
            listed(&registry),
            [(QOM, &b"c"[..]), (EXPORT, b"a"), (QOM, b"b")]
        );
        assert_eq!(registry.remove(EXPORT, c"a"), Some(2));
        assert_eq!(listed(&registry), [(QOM, &b"c"[..]), (QOM, b"b")]);
    }

    #[test]
    fn duplicates_are_counted_and_need_one_removal_each() {
        let mut registry = Registry::new();
        registry.add(QOM, c"d", 1);
        registry.add(QOM, c"d", 2);
        assert_eq!(listed(&registry), [(QOM, &b"d"[..]), (QOM, b"d")]);
        assert!(registry.remove(QOM, c"d").is_some());
        assert_eq!(listed(&registry), [(QOM, &b"d"[..])]);
        assert!(registry.remove(QOM, c"d").is_some());
        assert!(registry.is_empty());
        assert_eq!(registry.remove(QOM, c"d"), None);
    }

    #[test]
    fn remove_takes_the_newest_registration() {
        let mut registry = Registry::new();
        registry.add(QOM, c"x", 1);
        registry.add(QOM, c"y", 2);
        registry.add(QOM, c"x", 3);
        registry.add(QOM, c"x", 4);
        assert_eq!(registry.remove(QOM, c"x"), Some(4));
        assert_eq!(registry.remove(QOM, c"x"), Some(3));
        registry.add(QOM, c"x", 5);
        assert_eq!(
            listed(&registry),
            [(QOM, &b"x"[..]), (QOM, b"y"), (QOM, b"x")]
        );
        assert_eq!(registry.remove(QOM, c"x"), Some(5));
        assert_eq!(registry.remove(QOM, c"x"), Some(1));
        assert_eq!(listed(&registry), [(QOM, &b"y"[..])]);
    }

    #[test]
    fn same_name_of_another_type_is_another_holder() {
        let mut registry = Registry::new();
        registry.add(QOM, c"n", 1);
        registry.add(EXPORT, c"n", 2);
        assert_eq!(registry.remove(QOM, c"n"), Some(1));
        assert_eq!(registry.remove(QOM, c"n"), None);
        assert_eq!(listed(&registry), [(EXPORT, &b"n"[..])]);
        assert_eq!(registry.remove(EXPORT, c"n"), Some(2));
        assert!(registry.is_empty());
    }

    #[test]
    fn unknown_holder_changes_nothing() {
        let mut registry = Registry::new();
        registry.add(QOM, c"a", 1);
        assert_eq!(registry.remove(QOM, c"b"), None);
        assert_eq!(registry.remove(EXPORT, c"a"), None);
        assert_eq!(registry.remove(QOM, c"a/"), None);
        assert_eq!(listed(&registry), [(QOM, &b"a"[..])]);
    }

    #[test]
    fn types_and_names_are_not_interpreted() {
        let mut registry = Registry::new();
        let odd = c"\xff\xfe/\x80";
        registry.add(HolderType::MAX, odd, ());
        registry.add(QOM, c"plain", ());
        assert_eq!(
            listed(&registry),
            [(HolderType::MAX, odd.to_bytes()), (QOM, b"plain")]
        );
        assert!(registry.remove(HolderType::MAX, odd).is_some());
        assert_eq!(listed(&registry), [(QOM, &b"plain"[..])]);
    }

    #[test]
    fn emptied_registry_keeps_no_type() {
        let mut registry = Registry::new();
        for holder_type in 0..100 {
            registry.add(holder_type, c"a", ());
        }
        for holder_type in 0..100 {
            assert!(registry.remove(holder_type, c"a").is_some());
        }
        assert!(registry.is_empty());
        assert!(registry.newest.is_empty());
    }
}
