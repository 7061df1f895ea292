//! The certificate authorities a database's server certificate chains to: a client verifying
//! TLS (`tls=true`, `sslmode=verify-full`) needs them, and no system trust store has them.

/// The Amazon RDS G1 root CAs of every region (RSA2048, RSA4096, ECC384), each after a line
/// `# Amazon RDS <region> Root CA <kind> G1 (…)`: the CAs RDS, Aurora and DocumentDB sign
/// their server certificates with, from the bundles AWS publishes at
/// `https://truststore.pki.rds.amazonaws.com/<region>/<region>-bundle.pem`.
const G1_ROOTS: &str = include_str!("../../data/rds-ca-g1.pem");

/// The PEM bundle of `region`'s root CAs, or `None` for a region the table lacks.
pub(crate) fn bundle(region: &str) -> Option<String> {
    let marker = format!("# Amazon RDS {region} Root CA ");
    let mut out = String::new();
    let mut taking = false;
    for line in G1_ROOTS.lines() {
        if line.starts_with('#') {
            taking = line.starts_with(&marker);
            continue;
        }
        if taking && !line.is_empty() {
            out.push_str(line);
            out.push('\n');
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::bundle;

    #[test]
    fn a_region_gets_its_three_roots_only() {
        let Some(pem) = bundle("us-east-1") else {
            panic!("us-east-1 has roots");
        };
        assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 3);
        assert_eq!(pem.matches("-----END CERTIFICATE-----").count(), 3);
        // us-east-1's RSA2048 G1 root (`Amazon RDS us-east-1 Root CA RSA2048 G1`).
        assert!(pem.contains("MIID/zCCAuegAwIBAgIRAPVSMfFitmM5PhmbaOFoGfUw"));
        let Some(west) = bundle("us-west-2") else {
            panic!("us-west-2 has roots");
        };
        assert!(!west.contains("MIID/zCCAuegAwIBAgIRAPVSMfFitmM5PhmbaOFoGfUw"));
        assert_eq!(bundle("mars-north-1"), None);
    }
}
