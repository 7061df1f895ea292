//! Kubernetes quantities as types: CPU in millicores, memory in mebibytes, and the
//! count-or-percentage that rolling updates and disruption budgets take.

use std::fmt;

use crate::api::IntOrString;
use crate::api::Quantity;

/// CPU, in millicores. Renders canonically: `500m`, and whole cores as `2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cpu(u32);

impl Cpu {
    /// Thousandths of a core: `Cpu::millis(500)` is `500m`.
    pub const fn millis(m: u32) -> Self {
        Self(m)
    }

    /// Whole cores: `Cpu::cores(2)` is `2`.
    pub const fn cores(c: u32) -> Self {
        Self(c.saturating_mul(1000))
    }

    /// The amount in millicores.
    pub const fn as_millis(self) -> u32 {
        self.0
    }

    pub(crate) fn quantity(self) -> Quantity {
        Quantity(self.to_string())
    }
}

impl fmt::Display for Cpu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 % 1000 == 0 {
            write!(f, "{}", self.0 / 1000)
        } else {
            write!(f, "{}m", self.0)
        }
    }
}

/// Memory, in mebibytes. Renders canonically: `512Mi`, and whole gibibytes as `1Gi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Memory(u64);

impl Memory {
    /// Mebibytes: `Memory::mib(512)` is `512Mi`.
    pub const fn mib(m: u32) -> Self {
        Self(m as u64)
    }

    /// Gibibytes: `Memory::gib(4)` is `4Gi`.
    pub const fn gib(g: u32) -> Self {
        Self((g as u64).saturating_mul(1024))
    }

    /// The amount in mebibytes.
    pub const fn as_mib(self) -> u64 {
        self.0
    }

    pub(crate) fn quantity(self) -> Quantity {
        Quantity(self.to_string())
    }
}

impl fmt::Display for Memory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 != 0 && self.0 % 1024 == 0 {
            write!(f, "{}Gi", self.0 / 1024)
        } else {
            write!(f, "{}Mi", self.0)
        }
    }
}

/// A number of pods, or a percentage of the desired replicas (`maxUnavailable`, `maxSurge`,
/// `minAvailable`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntOrPercent {
    /// An absolute number of pods.
    Count(u32),
    /// A percentage (0–100) of the desired replicas.
    Percent(u32),
}

impl IntOrPercent {
    pub(crate) fn int_or_string(self) -> IntOrString {
        match self {
            IntOrPercent::Count(n) => IntOrString::Int(crate::labels::int(n)),
            IntOrPercent::Percent(p) => IntOrString::String(format!("{p}%")),
        }
    }

    /// Whether this is zero pods (`0` or `0%`).
    pub(crate) fn is_zero(self) -> bool {
        matches!(self, IntOrPercent::Count(0) | IntOrPercent::Percent(0))
    }
}

impl fmt::Display for IntOrPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrPercent::Count(n) => write!(f, "{n}"),
            IntOrPercent::Percent(p) => write!(f, "{p}%"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_renders_canonically() {
        assert_eq!(Cpu::millis(500).to_string(), "500m");
        assert_eq!(Cpu::millis(2000).to_string(), "2");
        assert_eq!(Cpu::cores(2), Cpu::millis(2000));
    }

    #[test]
    fn memory_renders_canonically() {
        assert_eq!(Memory::gib(1).to_string(), "1Gi");
        assert_eq!(Memory::mib(512).to_string(), "512Mi");
        assert_eq!(Memory::mib(2048).to_string(), "2Gi");
    }

    #[test]
    fn int_or_percent_renders() {
        assert_eq!(
            IntOrPercent::Percent(25).int_or_string(),
            IntOrString::String("25%".into())
        );
        assert_eq!(IntOrPercent::Count(1).int_or_string(), IntOrString::Int(1));
    }
}
