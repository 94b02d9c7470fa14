//! Capabilities and capability sets (spec §1).

use std::fmt;

/// One capability a rule can grant. The discriminants are in alphabetical order, so a set
/// iterates in the order the server sorts its answer (spec §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    /// `create`.
    Create,
    /// `delete`.
    Delete,
    /// `deny`: the rule denies everything.
    Deny,
    /// `list`.
    List,
    /// `patch`.
    Patch,
    /// `read`.
    Read,
    /// `recover` (Vault only).
    Recover,
    /// `scan` (OpenBao only).
    Scan,
    /// `subscribe` (Vault only).
    Subscribe,
    /// `sudo`.
    Sudo,
    /// `update`.
    Update,
}

impl Capability {
    /// Every capability, alphabetically.
    pub const ALL: [Capability; 11] = [
        Capability::Create,
        Capability::Delete,
        Capability::Deny,
        Capability::List,
        Capability::Patch,
        Capability::Read,
        Capability::Recover,
        Capability::Scan,
        Capability::Subscribe,
        Capability::Sudo,
        Capability::Update,
    ];

    /// The name as written in policies.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Create => "create",
            Capability::Delete => "delete",
            Capability::Deny => "deny",
            Capability::List => "list",
            Capability::Patch => "patch",
            Capability::Read => "read",
            Capability::Recover => "recover",
            Capability::Scan => "scan",
            Capability::Subscribe => "subscribe",
            Capability::Sudo => "sudo",
            Capability::Update => "update",
        }
    }

    /// Parses a name, case-sensitively (spec §2.3: `READ` is rejected).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|capability| capability.as_str() == name)
    }

    const fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A set of capabilities (a bit set).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CapabilitySet(u16);

impl CapabilitySet {
    /// The empty set.
    pub const EMPTY: CapabilitySet = CapabilitySet(0);
    /// Just `deny`.
    pub const DENY: CapabilitySet = CapabilitySet(Capability::Deny.bit());

    /// A set from a list.
    #[must_use]
    pub fn of(capabilities: &[Capability]) -> CapabilitySet {
        let mut set = CapabilitySet::EMPTY;
        for capability in capabilities {
            set.insert(*capability);
        }
        set
    }

    /// Adds one capability.
    pub fn insert(&mut self, capability: Capability) {
        self.0 |= capability.bit();
    }

    /// Whether it holds the capability.
    #[must_use]
    pub fn contains(self, capability: Capability) -> bool {
        self.0 & capability.bit() != 0
    }

    /// Whether it holds every capability of `other`.
    #[must_use]
    pub fn contains_all(self, other: CapabilitySet) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether it holds nothing.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether it holds `deny`.
    #[must_use]
    pub fn is_deny(self) -> bool {
        self.contains(Capability::Deny)
    }

    /// The union.
    #[must_use]
    pub fn union(self, other: CapabilitySet) -> CapabilitySet {
        CapabilitySet(self.0 | other.0)
    }

    /// The capabilities, alphabetically.
    pub fn iter(self) -> impl Iterator<Item = Capability> {
        Capability::ALL.into_iter().filter(move |capability| self.contains(*capability))
    }

    /// The names, alphabetically.
    #[must_use]
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Capability::as_str).collect()
    }

    /// What the server answers for a winning rule with this set (spec §5.4): the sorted
    /// names, or just `deny` when the set holds deny or nothing.
    #[must_use]
    pub fn as_answer(self) -> CapabilitySet {
        if self.is_deny() || self.is_empty() { CapabilitySet::DENY } else { self }
    }
}

impl fmt::Debug for CapabilitySet {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_list().entries(self.iter().map(Capability::as_str)).finish()
    }
}

impl fmt::Display for CapabilitySet {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.names().join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_like_the_server() {
        let set = CapabilitySet::of(&[
            Capability::Update,
            Capability::Sudo,
            Capability::Create,
            Capability::List,
        ]);
        assert_eq!(set.names(), vec!["create", "list", "sudo", "update"]);
        assert_eq!(CapabilitySet::EMPTY.as_answer().names(), vec!["deny"]);
        assert_eq!(
            CapabilitySet::of(&[Capability::Read, Capability::Deny]).as_answer().names(),
            vec!["deny"]
        );
        assert_eq!(Capability::from_name("READ"), None);
    }
}
