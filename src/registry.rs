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
//! first match).
//!
//! Every operation is `O(1)` (amortized) plus the length of the holder,
//! and none allocates when a holder comes back: devices are unplugged and
//! plugged again under the same name, so names are interned and kept for a
//! while after their last registration goes.
//!
//! - [`Names`] interns holder names: each distinct name is stored once, in
//!   one byte arena (no allocation per name), and found by hash through a
//!   small open-addressing index.
//! - Registrations live in a slab, linked oldest to newest, and each also
//!   links to the previous registration of the same name, so that the
//!   newest one of a name is found in `O(1)`.

/// Marks the end of a list of slots.
const NONE: u32 = u32::MAX;

/// Dead names (no registration left) kept for reuse, at least.
const DEAD_NAMES_KEPT: usize = 32;

/// A hash of a holder: 16 bytes at a time, each block mixed into the
/// state with one 64x64->128-bit multiply whose halves are folded together
/// (as foldhash and wyhash do), so that a 40-byte QOM path costs three
/// multiplies.
///
/// Holder names come from QEMU's configuration and management commands,
/// never from a guest, so a fast hash with no flooding resistance is
/// appropriate.
#[inline]
fn hash_holder(holder: &[u8]) -> u64 {
    const SEED: u64 = 0x243f_6a88_85a3_08d3;
    const BLOCK_KEY: u64 = 0x1319_8a2e_0370_7344;
    let fold = |a: u64, b: u64| {
        let product = u128::from(a) * u128::from(b);
        (product as u64) ^ ((product >> 64) as u64)
    };
    let word = |bytes: &[u8]| {
        let mut word = [0; 8];
        word.copy_from_slice(&bytes[..8]);
        u64::from_le_bytes(word)
    };
    let len = holder.len();
    let mut hash = SEED ^ len as u64;
    if len >= 8 {
        // Whole blocks, then the last 16 bytes (or 8 twice), overlapping
        // rather than padded.
        let mut blocks = holder[..len - 1].chunks_exact(16);
        for block in &mut blocks {
            hash = fold(word(block) ^ hash, word(&block[8..]) ^ BLOCK_KEY);
        }
        let tail = &holder[len.saturating_sub(16)..];
        hash = fold(word(tail) ^ hash, word(&tail[tail.len() - 8..]) ^ BLOCK_KEY);
    } else {
        let short = holder
            .iter()
            .fold(0, |packed, &byte| (packed << 8) | u64::from(byte));
        hash = fold(short ^ hash, BLOCK_KEY);
    }
    hash
}

struct Name {
    /// Where the name's bytes are in [`Names::arena`].
    start: usize,
    len: usize,
    hash: u64,
    /// The newest registration of this name, or `NONE`.
    newest: u32,
}

/// Interned holder names.
#[derive(Default)]
struct Names {
    arena: Vec<u8>,
    slots: Vec<Name>,
    /// Open addressing with linear probing over `slots` indices; `NONE` is
    /// empty.  Its length is a power of two at least twice `slots.len()`.
    index: Vec<u32>,
    /// Names with no registration left.
    dead: usize,
}

impl Names {
    #[inline]
    fn find(&self, holder: &[u8], hash: u64) -> Result<u32, usize> {
        let mask = self.index.len().wrapping_sub(1);
        let mut position = hash as usize & mask;
        loop {
            match self.index.get(position) {
                None | Some(&NONE) => return Err(position),
                Some(&id) => {
                    let name = &self.slots[id as usize];
                    if name.hash == hash && self.bytes(name) == holder {
                        return Ok(id);
                    }
                }
            }
            position = (position + 1) & mask;
        }
    }

    fn bytes(&self, name: &Name) -> &[u8] {
        &self.arena[name.start..name.start + name.len]
    }

    /// The id of `holder`, interning it if it is new.
    #[inline]
    fn intern(&mut self, holder: &[u8]) -> u32 {
        let hash = hash_holder(holder);
        let position = match self.find(holder, hash) {
            Ok(id) => return id,
            Err(position) => position,
        };
        let id = u32::try_from(self.slots.len()).expect("fewer than 2^32 names");
        self.slots.push(Name {
            start: self.arena.len(),
            len: holder.len(),
            hash,
            newest: NONE,
        });
        self.arena.extend_from_slice(holder);
        self.dead += 1;
        if self.index.len() < 2 * self.slots.len() {
            self.rebuild_index();
        } else {
            self.index[position] = id;
        }
        id
    }

    #[inline]
    fn lookup(&self, holder: &[u8]) -> Option<u32> {
        self.find(holder, hash_holder(holder)).ok()
    }

    fn rebuild_index(&mut self) {
        let size = (2 * self.slots.len()).next_power_of_two().max(8);
        self.index.clear();
        self.index.resize(size, NONE);
        let mask = size - 1;
        for (id, name) in self.slots.iter().enumerate() {
            let mut position = name.hash as usize & mask;
            while self.index[position] != NONE {
                position = (position + 1) & mask;
            }
            self.index[position] = id as u32;
        }
    }

    /// Forgets dead names once there are more of them than `work`, the
    /// size of what the caller must then renumber (so that the cost is
    /// amortized), and returns the new id of each old one (`NONE` if
    /// forgotten), or `None` if nothing changed.
    #[inline]
    fn collect_dead(&mut self, work: usize) -> Option<Vec<u32>> {
        if self.dead <= DEAD_NAMES_KEPT.max(work) {
            return None;
        }
        Some(self.forget_dead())
    }

    #[cold]
    fn forget_dead(&mut self) -> Vec<u32> {
        let mut renumbered = Vec::with_capacity(self.slots.len());
        let mut survivors = 0;
        let mut arena = Vec::with_capacity(self.arena.len() / 2);
        self.slots.retain_mut(|name| {
            let keep = name.newest != NONE;
            renumbered.push(if keep { survivors } else { NONE });
            if keep {
                survivors += 1;
                let start = arena.len();
                arena.extend_from_slice(&self.arena[name.start..name.start + name.len]);
                name.start = start;
            }
            keep
        });
        self.arena = arena;
        self.dead = 0;
        self.rebuild_index();
        renumbered
    }
}

struct Registration<P> {
    /// `None` while the slot is free.
    pin: Option<P>,
    name: u32,
    /// The previous registration of the same name, or `NONE`.
    same_name_older: u32,
    /// Age order; a free slot links to the next free one through `newer`.
    older: u32,
    newer: u32,
}

/// All registrations on one IOThread, oldest first.
pub struct HolderRegistry<P> {
    names: Names,
    slots: Vec<Registration<P>>,
    free: u32,
    oldest: u32,
    newest: u32,
    len: usize,
}

impl<P> Default for HolderRegistry<P> {
    fn default() -> Self {
        Self {
            names: Names::default(),
            slots: Vec::new(),
            free: NONE,
            oldest: NONE,
            newest: NONE,
            len: 0,
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
        let name = self.names.intern(holder);
        let same_name_older = self.names.slots[name as usize].newest;
        if same_name_older == NONE {
            self.names.dead -= 1;
        }
        let registration = Registration {
            pin: Some(pin),
            name,
            same_name_older,
            older: self.newest,
            newer: NONE,
        };
        let slot = if self.free == NONE {
            self.slots.push(registration);
            u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 registrations")
        } else {
            let slot = self.free;
            self.free = self.slots[slot as usize].newer;
            self.slots[slot as usize] = registration;
            slot
        };
        match self.newest {
            NONE => self.oldest = slot,
            newest => self.slots[newest as usize].newer = slot,
        }
        self.newest = slot;
        self.names.slots[name as usize].newest = slot;
        self.len += 1;
    }

    /// Removes the newest registration of `holder` and returns its pin, or
    /// returns `None` and changes nothing if `holder` is not registered.
    pub fn unregister(&mut self, holder: &[u8]) -> Option<P> {
        let name = self.names.lookup(holder)?;
        let slot = self.names.slots[name as usize].newest;
        if slot == NONE {
            return None;
        }
        let registration = &mut self.slots[slot as usize];
        let pin = registration.pin.take();
        let (older, newer) = (registration.older, registration.newer);
        let same_name_older = registration.same_name_older;
        registration.newer = self.free;
        self.free = slot;
        match older {
            NONE => self.oldest = newer,
            older => self.slots[older as usize].newer = newer,
        }
        match newer {
            NONE => self.newest = older,
            newer => self.slots[newer as usize].older = older,
        }
        self.names.slots[name as usize].newest = same_name_older;
        self.len -= 1;
        if same_name_older == NONE {
            self.names.dead += 1;
            self.forget_dead_names();
        }
        if self.len == 0 {
            // Nothing links into the slab: drop the free list with it.
            self.slots.clear();
            self.free = NONE;
        }
        pin
    }

    #[inline]
    fn forget_dead_names(&mut self) {
        if let Some(renumbered) = self.names.collect_dead(self.slots.len()) {
            for registration in &mut self.slots {
                if registration.pin.is_some() {
                    registration.name = renumbered[registration.name as usize];
                }
            }
        }
    }

    /// The number of outstanding registrations.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no holder is registered.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// One entry per outstanding registration, oldest first.
    pub fn holders(&self) -> impl ExactSizeIterator<Item = &[u8]> {
        Holders {
            registry: self,
            next: self.oldest,
            remaining: self.len,
        }
    }
}

struct Holders<'a, P> {
    registry: &'a HolderRegistry<P>,
    next: u32,
    remaining: usize,
}

impl<'a, P> Iterator for Holders<'a, P> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let registration = self.registry.slots.get(self.next as usize)?;
        self.next = registration.newer;
        self.remaining -= 1;
        let names = &self.registry.names;
        Some(names.bytes(&names.slots[registration.name as usize]))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<P> ExactSizeIterator for Holders<'_, P> {}

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

    #[test]
    fn names_that_hash_alike_stay_apart() {
        // Every length from 0 to 17 crosses a word boundary somewhere.
        let mut registry = HolderRegistry::new();
        let names: Vec<Vec<u8>> = (0..18).map(|len| vec![0; len]).collect();
        for name in &names {
            registry.register(name, name.len());
        }
        for name in names.iter().rev() {
            assert_eq!(registry.unregister(name), Some(name.len()));
        }
        assert!(registry.is_empty());
    }

    #[test]
    fn dead_names_are_forgotten_but_live_ones_kept() {
        let mut registry = HolderRegistry::new();
        registry.register(b"kept", 0);
        for i in 0..1_000 {
            let name = format!("/machine/peripheral-anon/device[{i}]");
            registry.register(name.as_bytes(), i);
            assert_eq!(registry.unregister(name.as_bytes()), Some(i));
        }
        assert!(registry.names.slots.len() <= 2 * DEAD_NAMES_KEPT + 2);
        assert_eq!(listed(&registry), [&b"kept"[..]]);
        assert_eq!(registry.unregister(b"kept"), Some(0));
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
        // Enough distinct names that dead ones get collected mid-run.
        let names: Vec<Vec<u8>> = (0..80)
            .map(|i| format!("/machine/peripheral/disk{i}/virtio-backend").into_bytes())
            .chain([vec![0xc3, 0x28], Vec::new()])
            .collect();
        for seed in 1..=50u64 {
            let mut random = XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            let mut registry = HolderRegistry::new();
            let mut model = Model::default();
            // Small seeds use few names, so that duplicates are common.
            let spread = if seed % 2 == 0 { 6 } else { names.len() };
            for step in 0..3_000u32 {
                let holder = &names[random.below(spread)];
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
