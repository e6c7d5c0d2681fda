//! The constant-time comparison of a computed tag with a candidate signature.
//!
//! Self-contained (it uses only `subtle`) so that the timing example can compile this very file
//! and time the code the verifier runs.

use subtle::{Choice, ConstantTimeEq};

/// The length of an HMAC-SHA256 tag, in bytes.
const TAG_LEN: usize = 32;

/// Compares a computed tag with a candidate in constant time: the differences of the four 64-bit
/// words are OR-ed together without a branch, and `subtle` turns the result into a [`Choice`].
/// The same guarantee as `subtle`'s byte-wise slice comparison, for about a tenth of the
/// instructions. A tag of another length never matches.
pub(crate) fn tag_eq(tag: &[u8], candidate: &[u8; TAG_LEN]) -> Choice {
    let Ok(tag) = <&[u8; TAG_LEN]>::try_from(tag) else {
        return Choice::from(0);
    };
    let mut diff = 0u64;
    for (t, c) in tag.chunks_exact(8).zip(candidate.chunks_exact(8)) {
        let (Ok(t), Ok(c)) = (<[u8; 8]>::try_from(t), <[u8; 8]>::try_from(c)) else {
            return Choice::from(0);
        };
        diff |= u64::from_ne_bytes(t) ^ u64::from_ne_bytes(c);
    }
    diff.ct_eq(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_eq_sees_every_bit_of_every_byte() {
        let tag = [0x5a_u8; TAG_LEN];
        assert!(bool::from(tag_eq(&tag, &tag)));
        for byte in 0..TAG_LEN {
            for bit in 0..8 {
                let mut other = tag;
                other[byte] ^= 1 << bit;
                assert!(!bool::from(tag_eq(&tag, &other)), "byte {byte} bit {bit}");
            }
        }
        assert!(!bool::from(tag_eq(&tag[..31], &tag)));
    }
}
