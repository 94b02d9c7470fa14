//! Kubernetes quantities (`500m`, `1Gi`, `1e3`), compared by value.
//!
//! The API server stores a quantity in its canonical form, so `1000m` in Git comes back as `1`,
//! `3072Mi` as `3Gi` and `0.5` as `500m` (spec §2.6-A). Comparing the strings would report drift
//! where there is none; comparing the values does not.

use std::fmt::Write;

/// 10^0 to 10^38, every power of ten an i128 holds.
const POWERS_OF_TEN: [i128; 39] = {
    let mut powers = [1_i128; 39];
    let mut index = 1;
    while index < powers.len() {
        powers[index] = powers[index - 1] * 10;
        index += 1;
    }
    powers
};

/// A quantity's value in nano-units (10⁻⁹), rounded up as the API server rounds.
///
/// Returns `None` for text that is not a quantity, or one too large to hold.
#[must_use]
pub fn parse_nanos(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    // Bytes rather than chars: digits and '.' are ASCII, and a multi-byte character ends the
    // number at its first byte, a character boundary.
    let number_end = unsigned
        .bytes()
        .position(|byte| !(byte.is_ascii_digit() || byte == b'.'))
        .unwrap_or(unsigned.len());
    let (number, suffix) = unsigned.split_at(number_end);
    let mut dots = number.bytes().enumerate().filter(|(_, byte)| *byte == b'.');
    let (whole, fraction) = match (dots.next(), dots.next()) {
        (_, Some(_)) => return None,
        (Some((dot, _)), None) => (&number[..dot], &number[dot + 1..]),
        (None, None) => (number, ""),
    };
    if number.is_empty() || number == "." {
        return None;
    }
    let mut digits = whole.bytes().chain(fraction.bytes()).map(|digit| i128::from(digit - b'0'));
    let mantissa = if whole.len() + fraction.len() <= 38 {
        // Thirty-eight digits are below 10^38, which an i128 holds: no overflow to check.
        digits.fold(0, |mantissa, digit| mantissa * 10 + digit)
    } else {
        digits.try_fold(0_i128, |mantissa, digit| mantissa.checked_mul(10)?.checked_add(digit))?
    };
    let fraction_len = i32::try_from(fraction.len()).ok()?;
    let (decimal_exponent, binary_exponent): (i32, u32) = match suffix {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        exponent if exponent.starts_with(['e', 'E']) => (exponent[1..].parse::<i32>().ok()?, 0),
        _ => return None,
    };
    // The mantissa is not negative, so shifting it overflows exactly when it exceeds this.
    if mantissa > i128::MAX >> binary_exponent {
        return None;
    }
    let mut value = mantissa << binary_exponent;
    let scale = decimal_exponent + 9 - fraction_len;
    let power_of_ten = |exponent: i32| POWERS_OF_TEN.get(usize::try_from(exponent).ok()?).copied();
    if scale >= 0 {
        value = multiply(value, power_of_ten(scale)?)?;
    } else {
        // The API server rounds a quantity finer than a nano-unit up.
        value = divide_rounding_up(value, power_of_ten(-scale)?);
    }
    Some(if negative { -value } else { value })
}

/// `value × factor` (neither negative), `None` if it overflows an i128: one 64-bit multiply
/// when both fit in 64 bits, as quantities usually do.
fn multiply(value: i128, factor: i128) -> Option<i128> {
    match (u64::try_from(value), u64::try_from(factor)) {
        (Ok(value), Ok(factor)) => i128::try_from(u128::from(value) * u128::from(factor)).ok(),
        _ => value.checked_mul(factor),
    }
}

/// `value ÷ divisor` (neither negative, the divisor positive), rounded up.
fn divide_rounding_up(value: i128, divisor: i128) -> i128 {
    match (u64::try_from(value), u64::try_from(divisor)) {
        (Ok(value), Ok(divisor)) => i128::from(value / divisor + u64::from(value % divisor != 0)),
        _ => value / divisor + i128::from(value % divisor != 0),
    }
}

/// Whether two JSON values are the same quantity: `"1000m"` and `1`, `"3072Mi"` and `"3Gi"`.
#[must_use]
pub fn same_quantity(left: &serde_json::Value, right: &serde_json::Value) -> bool {
    match (quantity_of(left), quantity_of(right)) {
        (Some(left), Some(right)) => left == right,
        _ => false,
    }
}

fn quantity_of(value: &serde_json::Value) -> Option<i128> {
    match value {
        serde_json::Value::String(text) => parse_nanos(text),
        // An integer is its decimal spelling: whole units (an i64 or a u64 times 10^9 fits).
        serde_json::Value::Number(number) if number.is_i64() || number.is_u64() => {
            let units = number.as_i64().map(i128::from).or_else(|| number.as_u64().map(i128::from));
            units.map(|units| units * 1_000_000_000)
        }
        serde_json::Value::Number(number) => {
            // Spelt as JSON spells it, on the stack: this runs for every quantity compared.
            let mut text = StackText::default();
            write!(text, "{number}").ok()?;
            parse_nanos(text.as_str())
        }
        _ => None,
    }
}

/// A short text written on the stack (a JSON number is at most 24 bytes); writing more fails.
#[derive(Default)]
struct StackText {
    bytes: [u8; 32],
    len: usize,
}

impl StackText {
    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so the bytes are UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl Write for StackText {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let end = self.len + text.len();
        self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn canonical_spellings_are_equal() {
        // The pairs of spec §2.6-A.
        assert!(same_quantity(&json!("1000m"), &json!("1")));
        assert!(same_quantity(&json!("0.5"), &json!("500m")));
        assert!(same_quantity(&json!("1000M"), &json!("1G")));
        assert!(same_quantity(&json!("3072Mi"), &json!("3Gi")));
        assert!(same_quantity(&json!(1), &json!("1")));
        assert!(same_quantity(&json!("12000m"), &json!("12")));
        assert!(same_quantity(&json!("1e3"), &json!("1k")));
        assert!(same_quantity(&json!(0.5), &json!("500m")));
        assert!(same_quantity(&json!(1e3), &json!("1k")));
        assert!(same_quantity(&json!(u64::MAX), &json!(u64::MAX.to_string())));
    }

    #[test]
    fn different_values_differ() {
        assert!(!same_quantity(&json!("500m"), &json!("1")));
        assert!(!same_quantity(&json!("1G"), &json!("1Gi")));
        assert!(!same_quantity(&json!("abc"), &json!("abc")));
    }

    #[test]
    fn values_in_nanos() {
        assert_eq!(parse_nanos("1"), Some(1_000_000_000));
        assert_eq!(parse_nanos("1Ki"), Some(1024 * 1_000_000_000));
        assert_eq!(parse_nanos("1n"), Some(1));
        assert_eq!(parse_nanos("0.1n"), Some(1), "rounded up");
        assert_eq!(parse_nanos("-2m"), Some(-2_000_000));
        assert_eq!(parse_nanos("1.5Gi"), Some(1_610_612_736 * 1_000_000_000));
        assert_eq!(parse_nanos("1x"), None);
        assert_eq!(parse_nanos(""), None);
        assert_eq!(parse_nanos("1e29"), Some(10_i128.pow(38)));
        assert_eq!(parse_nanos("1e30"), None, "beyond an i128");
        assert_eq!(parse_nanos("1e-40"), Some(1), "rounded up");
        assert_eq!(parse_nanos("1e-50"), None, "a divisor beyond an i128");
        let long = format!("0.{}1", "0".repeat(40));
        assert_eq!(parse_nanos(&long), Some(1), "more digits than an i128 holds, still small");
        assert_eq!(parse_nanos(&"9".repeat(39)), None);
        // Past 64 bits, and past the i128 bound, each way.
        assert_eq!(
            parse_nanos("18446744073709551616"),
            Some(18_446_744_073_709_551_616_000_000_000)
        );
        assert_eq!(parse_nanos("170141183460469231731Ei"), None);
        assert_eq!(parse_nanos("100000000000000000000000000000n"), Some(10_i128.pow(29)));
        assert_eq!(parse_nanos("100000000000000000000000000001e-10"), Some(10_i128.pow(28) + 1));
    }
}
