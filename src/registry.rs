// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (c) the iothread-holders authors

//! The holder list of one IOThread, with no FFI and no `unsafe`.
//!
//! A *holder* is a byte string naming whoever uses the IOThread, usually
//! the canonical QOM path of a device.  A *registration* is one outstanding
//! `iothread_ref()` of a holder.  The same holder may be registered more
//! than once; every registration is listed and each needs its own
//! unregistration.
//!
//! Each registration carries a *pin* of type `P`: in QEMU a QOM reference
//! on the IOThread, in tests anything.  The registry only stores pins; it
//! hands a pin back on [`HolderRegistry::unregister`] so that the caller
//! decides when it is dropped (for QOM: after releasing any lock, because
//! dropping the last reference finalizes the IOThread).
//!
//! Registrations are ordered by age.  Unregistering a holder that is
//! registered several times removes its newest registration, as the C
//! implementation this replaces did (it prepended to a list and removed the
//! first match).  Every operation is `O(log n)` in the number of
//! registrations, plus the length of the holder for hashing.

use std::{
    collections::{hash_map::Entry, BTreeMap, HashMap},
    sync::Arc,
};

/// The age of a registration: strictly increasing, never reused.
type Age = u64;

struct Registration<P> {
    holder: Arc<[u8]>,
    pin: P,
}

/// All registrations on one IOThread, oldest first.
pub struct HolderRegistry<P> {
    next_age: Age,
    by_age: BTreeMap<Age, Registration<P>>,
    /// The ages of each holder's registrations, oldest first.  A holder with
    /// no registration has no entry.
    ages_by_holder: HashMap<Arc<[u8]>, Vec<Age>>,
}

impl<P> Default for HolderRegistry<P> {
    fn default() -> Self {
        Self {
            next_age: 0,
            by_age: BTreeMap::new(),
            ages_by_holder: HashMap::new(),
        }
    }
}

impl<P> HolderRegistry<P> {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one more registration of `holder`, which keeps `pin` until
    /// it is unregistered.
    pub fn register(&mut self, holder: &[u8], pin: P) {
        let age = self.next_age;
        self.next_age += 1;
        let holder = match self.ages_by_holder.get_key_value(holder) {
            Some((shared, _)) => Arc::clone(shared),
            None => Arc::from(holder),
        };
        match self.ages_by_holder.entry(Arc::clone(&holder)) {
            Entry::Occupied(mut ages) => ages.get_mut().push(age),
            Entry::Vacant(slot) => {
                slot.insert(vec![age]);
            }
        }
        self.by_age.insert(age, Registration { holder, pin });
    }

    /// Removes the newest registration of `holder` and returns its pin, or
    /// returns `None` and changes nothing if `holder` is not registered.
    pub fn unregister(&mut self, holder: &[u8]) -> Option<P> {
        let ages = self.ages_by_holder.get_mut(holder)?;
        let age = ages.pop()?;
        if ages.is_empty() {
            self.ages_by_holder.remove(holder);
        }
        self.by_age
            .remove(&age)
            .map(|registration| registration.pin)
    }

    /// The number of outstanding registrations.
    pub fn len(&self) -> usize {
        self.by_age.len()
    }

    /// Whether no holder is registered.
    pub fn is_empty(&self) -> bool {
        self.by_age.is_empty()
    }

    /// One entry per outstanding registration, oldest first.
    pub fn holders(&self) -> impl ExactSizeIterator<Item = &[u8]> {
        self.by_age
            .values()
            .map(|registration| &*registration.holder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed<P>(registry: &HolderRegistry<P>) -> Vec<&[u8]> {
        registry.holders().collect()
    }

    #[test]
    fn new_registry_is_empty() {
        let registry = HolderRegistry::<()>::new();
        assert!(registry.is_empty());
        assert_eq!(registry.len(), 0);
        assert!(listed(&registry).is_empty());
    }

    #[test]
    fn lists_oldest_first() {
        let mut registry = HolderRegistry::new();
        registry.register(b"/machine/peripheral/b", ());
        registry.register(b"/machine/peripheral/a", ());
        registry.register(b"/machine/peripheral/c", ());
        assert_eq!(
            listed(&registry),
            [
                &b"/machine/peripheral/b"[..],
                b"/machine/peripheral/a",
                b"/machine/peripheral/c"
            ]
        );
    }

    #[test]
    fn duplicates_are_counted_and_need_one_unregister_each() {
        let mut registry = HolderRegistry::new();
        registry.register(b"disk", 1);
        registry.register(b"disk", 2);
        assert_eq!(listed(&registry), [&b"disk"[..], b"disk"]);
        assert_eq!(registry.unregister(b"disk"), Some(2));
        assert_eq!(listed(&registry), [&b"disk"[..]]);
        assert_eq!(registry.unregister(b"disk"), Some(1));
        assert!(registry.is_empty());
        assert_eq!(registry.unregister(b"disk"), None);
    }

    #[test]
    fn unregister_removes_the_newest_registration() {
        let mut registry = HolderRegistry::new();
        registry.register(b"a", "first a");
        registry.register(b"b", "b");
        registry.register(b"a", "second a");
        assert_eq!(registry.unregister(b"a"), Some("second a"));
        assert_eq!(listed(&registry), [&b"a"[..], b"b"]);
    }

    #[test]
    fn unknown_holder_changes_nothing() {
        let mut registry = HolderRegistry::new();
        registry.register(b"a", ());
        assert_eq!(registry.unregister(b"b"), None);
        assert_eq!(registry.unregister(b""), None);
        assert_eq!(listed(&registry), [&b"a"[..]]);
    }

    #[test]
    fn holders_are_bytes_not_text() {
        let mut registry = HolderRegistry::new();
        let odd = [0xff, 0xfe, b'/', 0x80];
        let long = vec![b'x'; 1 << 20];
        registry.register(&odd, ());
        registry.register(&long, ());
        assert_eq!(listed(&registry), [&odd[..], &long[..]]);
        assert_eq!(registry.unregister(&odd), Some(()));
        assert_eq!(listed(&registry), [&long[..]]);
    }

    /// A deterministic xorshift generator: the comparison below must be
    /// repeatable without pulling in a dependency.
    struct XorShift(u64);

    impl XorShift {
        fn below(&mut self, bound: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % bound as u64) as usize
        }
    }

    /// The simplest correct registry: a list scanned from the newest end.
    #[derive(Default)]
    struct Model(Vec<(Vec<u8>, u32)>);

    impl Model {
        fn register(&mut self, holder: &[u8], pin: u32) {
            self.0.push((holder.to_vec(), pin));
        }

        fn unregister(&mut self, holder: &[u8]) -> Option<u32> {
            let index = self.0.iter().rposition(|(h, _)| h == holder)?;
            Some(self.0.remove(index).1)
        }
    }

    #[test]
    fn behaves_like_a_plain_list_under_random_operations() {
        let names: Vec<Vec<u8>> = (0..12)
            .map(|i| format!("/machine/peripheral/disk{i}/virtio-backend").into_bytes())
            .chain([vec![0xc3, 0x28], Vec::new()])
            .collect();
        for seed in 1..=50u64 {
            let mut random = XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            let mut registry = HolderRegistry::new();
            let mut model = Model::default();
            for step in 0..2_000u32 {
                let holder = &names[random.below(names.len())];
                if random.below(3) == 0 {
                    registry.register(holder, step);
                    model.register(holder, step);
                } else {
                    assert_eq!(registry.unregister(holder), model.unregister(holder));
                }
                assert_eq!(registry.len(), model.0.len());
                assert!(registry
                    .holders()
                    .eq(model.0.iter().map(|(listed, _)| listed.as_slice())));
            }
        }
    }
}
