//! Which addresses a delivery may reach (PRODUCT.md §5, SSRF). Partner-supplied
//! URLs are fetched by our server, so without this check a partner could make
//! Quarry call its own network: loopback, private ranges, link-local (including
//! the cloud metadata address 169.254.169.254), carrier-grade NAT, multicast and
//! the reserved and documentation ranges are refused, for IPv4, IPv6 and IPv4
//! addresses embedded in IPv6 (mapped, compatible, NAT64, and the 6to4 and Teredo
//! tunnels). `--dev` lifts the rule for local tests.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `ip` is a public unicast address a delivery may connect to.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // carrier-grade NAT 100.64.0.0/10
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments 192.0.0.0/24
        || (a == 192 && b == 0 && c == 0)
        // benchmarking 198.18.0.0/15
        || (a == 198 && (b == 18 || b == 19))
        // reserved 240.0.0.0/4
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // unique local fc00::/7
        || (first & 0xfe00) == 0xfc00
        // link-local fe80::/10
        || (first & 0xffc0) == 0xfe80
        // site-local (deprecated) fec0::/10
        || (first & 0xffc0) == 0xfec0
        // documentation 2001:db8::/32
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // IPv4-compatible and NAT64 well-known prefixes carry IPv4 inside
        || (first == 0 && ip.segments()[1..6].iter().all(|s| *s == 0))
        || (first == 0x0064 && ip.segments()[1] == 0xff9b)
        // 6to4 (2002::/16) and Teredo (2001::/32) tunnel to IPv4 addresses a
        // relay would reach for us, private ones included: refused whole
        || first == 0x2002
        || (first == 0x2001 && ip.segments()[1] == 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn private_and_special_ranges_are_refused() {
        for refused in [
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.10",
            "198.51.100.1",
            "203.0.113.9",
            "198.18.0.1",
            "240.0.0.1",
            "192.0.0.8",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            // 6to4 (2002::/16) and Teredo (2001::/32) tunnel to IPv4 addresses
            // that may be private: 2002:7f00:1:: is 127.0.0.1, 2002:a9fe:a9fe::
            // the metadata address.
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::1",
            "2002:5db8:d822::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001::1",
        ] {
            assert!(
                !is_public(refused.parse().unwrap()),
                "{refused} was allowed"
            );
        }
        for allowed in [
            "93.184.216.34",
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:93.184.216.34",
        ] {
            assert!(is_public(allowed.parse().unwrap()), "{allowed} was refused");
        }
    }

    proptest! {
        #[test]
        fn mapped_addresses_get_the_same_answer(bits in any::<u32>()) {
            let v4 = Ipv4Addr::from(bits);
            prop_assert_eq!(is_public(IpAddr::V4(v4)), is_public(IpAddr::V6(v4.to_ipv6_mapped())));
        }
    }
}
