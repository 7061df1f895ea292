//! IPv4 CIDR blocks: parsing with clear errors, carving subnets, overlap checks.

use std::fmt;
use std::net::Ipv4Addr;

/// An IPv4 network in CIDR notation whose host bits are zero (`10.0.0.0/16`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    addr: u32,
    prefix: u8,
}

/// Why a CIDR block was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// Not `a.b.c.d/n`.
    #[error("`{0}` is not an IPv4 CIDR block like `10.0.0.0/16`")]
    Syntax(String),
    /// Prefix length above 32.
    #[error("`{0}` has a prefix length above 32")]
    Prefix(String),
    /// Host bits set: `10.0.0.1/16`.
    #[error("`{given}` has host bits set; the network is `{network}`")]
    HostBits {
        /// What was given.
        given: String,
        /// The aligned network.
        network: Cidr,
    },
}

impl Cidr {
    /// Parses `a.b.c.d/n`; host bits must be zero.
    pub fn parse(s: &str) -> Result<Self, CidrError> {
        let (ip, len) = s
            .split_once('/')
            .ok_or_else(|| CidrError::Syntax(s.to_owned()))?;
        let ip: Ipv4Addr = ip.parse().map_err(|_| CidrError::Syntax(s.to_owned()))?;
        let prefix: u8 = len.parse().map_err(|_| CidrError::Syntax(s.to_owned()))?;
        if prefix > 32 {
            return Err(CidrError::Prefix(s.to_owned()));
        }
        let addr = u32::from(ip);
        let network = Cidr {
            addr: addr & mask(prefix),
            prefix,
        };
        if network.addr != addr {
            return Err(CidrError::HostBits {
                given: s.to_owned(),
                network,
            });
        }
        Ok(network)
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// The `index`-th subnet of prefix length `prefix`, if it fits.
    pub fn subnet(&self, prefix: u8, index: u32) -> Option<Cidr> {
        if prefix > 32 {
            return None;
        }
        let bits = u32::from(prefix.checked_sub(self.prefix)?);
        if u64::from(index) >= 1u64.checked_shl(bits)? {
            return None;
        }
        let size = 1u64.checked_shl(32u32.saturating_sub(u32::from(prefix)))?;
        let addr = u64::from(self.addr).checked_add(u64::from(index).checked_mul(size)?)?;
        Some(Cidr {
            addr: u32::try_from(addr).ok()?,
            prefix,
        })
    }

    /// Whether two blocks share any address.
    pub fn overlaps(&self, other: &Cidr) -> bool {
        let p = self.prefix.min(other.prefix);
        self.addr & mask(p) == other.addr & mask(p)
    }
}

fn mask(prefix: u8) -> u32 {
    // A shift by 32 (prefix 0) masks every bit.
    u32::MAX
        .checked_shl(32u32.saturating_sub(u32::from(prefix)))
        .unwrap_or(0)
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.addr), self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_carves() -> Result<(), CidrError> {
        let vpc = Cidr::parse("10.0.0.0/16")?;
        assert_eq!(
            vpc.subnet(19, 1).map(|c| c.to_string()),
            Some("10.0.32.0/19".to_owned())
        );
        assert_eq!(vpc.subnet(19, 8), None);
        assert!(vpc.overlaps(&Cidr::parse("10.0.128.0/17")?));
        assert!(!vpc.overlaps(&Cidr::parse("10.1.0.0/16")?));
        Ok(())
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            Cidr::parse("10.0.0/16"),
            Err(CidrError::Syntax(_))
        ));
        assert!(matches!(
            Cidr::parse("10.0.0.0/33"),
            Err(CidrError::Prefix(_))
        ));
        assert!(matches!(
            Cidr::parse("10.0.0.1/16"),
            Err(CidrError::HostBits { .. })
        ));
        assert!(matches!(
            Cidr::parse("300.0.0.0/16"),
            Err(CidrError::Syntax(_))
        ));
    }
}
