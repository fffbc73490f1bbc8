//! Numbers written as text onto byte buffers, without the formatting machinery: readers and
//! generators that build many records a second.

/// Appends the decimal digits of `n` to `out`.
pub fn push_decimal(out: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let start = decimal(n, &mut digits);
    out.extend_from_slice(&digits[start..]);
}

/// Appends `n` to `out` as `Display` writes it.
pub fn push_signed(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let start = decimal(n.unsigned_abs(), &mut digits);
    out.extend(digits[start..].iter().map(|&d| char::from(d)));
}

/// The decimal digits of `n` at the end of `digits`; where they start.
fn decimal(mut n: u64, digits: &mut [u8; 20]) -> usize {
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return i;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_digits() {
        for n in [0, 7, 43, 1000, u64::MAX] {
            let mut out = b"x".to_vec();
            push_decimal(&mut out, n);
            assert_eq!(out, format!("x{n}").into_bytes());
        }
        for n in [0, 7, -7, 43, -100, i64::MAX, i64::MIN] {
            let mut out = String::from("x");
            push_signed(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }
}
