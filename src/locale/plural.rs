/*!
Plural forms: `__plural_for_parameter__N__{conditions=text|…}__` (2.0) and the older
`__plural_for_parameter_N_{…}__`, which the game still reads (both appear in the 2.0.55 files).

An option is `conditions=text`; conditions are separated by `,` and the first option with a
fitting condition wins. Conditions found in the game's 50 `core.cfg` files and the community
language server (justarandomgeek/vscode-factoriomod-debug, `Locale/Parse.ts`):

* `N` — the parameter is the integer N; `N-M` — an integer from N to M;
* `ends in N` — the integer's decimal digits end with N's (`ends in 11` before `ends in 1` is
  how Russian and Polish files put 11–14 apart); `ends in N-M` — its last digits lie in N..M;
* `decimal` — the parameter is a number with a fractional part (cs, ru `rocket-capacity-value`);
* `rest` — anything.

Blanks around a condition are ignored (`1, ends in 2` appears in real files). A condition that is
none of these (`resto`, `end in 2`, both in real files) never fits; [`check_conditions`] reports
it. A parameter that is not a number fits only `rest`. When nothing fits, the plural shows nothing.
*/

/// One plural token found in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plural<'a> {
    /// The 1-based parameter it tests.
    pub parameter: usize,
    /// The options, in order: (conditions text, option text).
    pub options: Vec<(&'a str, &'a str)>,
    /// Bytes of the template the token covers.
    pub len: usize,
}

const NEW: &str = "__plural_for_parameter__";
const OLD: &str = "__plural_for_parameter_";

/// Reads a plural token at the start of `s`, if there is a well-formed one.
pub(crate) fn parse_at(s: &str) -> Option<Plural<'_>> {
    let (rest, close_number) =
        if let Some(rest) = s.strip_prefix(NEW) { (rest, "__{") } else { (s.strip_prefix(OLD)?, "_{") };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let parameter: usize = rest.get(..digits)?.parse().ok()?;
    let body_start = rest.get(digits..)?.strip_prefix(close_number)?;
    let end = body_start.find("}__")?;
    let body = body_start.get(..end)?;
    let options = body.split('|').filter_map(|option| option.split_once('=')).collect();
    let len = s.len() - body_start.len() + end + "}__".len();
    Some(Plural { parameter, options, len })
}

/// A parameter's value as the plural rules see it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Integer(i128),
    Decimal,
    NotNumber,
}

fn classify(text: &str) -> Value {
    let t = text.trim();
    if let Ok(i) = t.parse::<i128>() {
        return Value::Integer(i);
    }
    match t.parse::<f64>() {
        Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e30 => Value::Integer(f as i128),
        Ok(f) if f.is_finite() => Value::Decimal,
        _ => Value::NotNumber,
    }
}

fn number(s: &str) -> Option<u128> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Whether one condition fits the value; `None` when the condition is malformed.
fn fits(condition: &str, value: Value) -> Option<bool> {
    let c = condition.trim();
    if c == "rest" {
        return Some(true);
    }
    if c == "decimal" {
        return Some(value == Value::Decimal);
    }
    let (ends_in, spec) = match c.strip_prefix("ends in ") {
        Some(spec) => (true, spec.trim()),
        None => (false, c),
    };
    let (lo_text, hi_text) = spec.split_once('-').unwrap_or((spec, spec));
    let (lo, hi) = (number(lo_text.trim())?, number(hi_text.trim())?);
    let Value::Integer(n) = value else {
        return Some(false);
    };
    let magnitude = n.unsigned_abs();
    Some(if !ends_in {
        n >= 0 && (lo..=hi).contains(&magnitude)
    } else if lo == hi {
        // Compare digits, so `ends in 05` needs a written 0.
        magnitude.to_string().ends_with(lo_text.trim())
    } else {
        let width = u32::try_from(hi_text.trim().len()).unwrap_or(u32::MAX).min(38);
        (lo..=hi).contains(&(magnitude % 10u128.pow(width)))
    })
}

/// The text of the first option that fits `parameter_text`.
pub(crate) fn choose<'a>(plural: &Plural<'a>, parameter_text: &str) -> Option<&'a str> {
    let value = classify(parameter_text);
    plural
        .options
        .iter()
        .find(|(conditions, _)| conditions.split(',').any(|c| fits(c, value) == Some(true)))
        .map(|(_, text)| *text)
}

/// Conditions in `plural` the game cannot read, for the locale check.
pub(crate) fn check_conditions<'a>(plural: &Plural<'a>) -> Vec<&'a str> {
    plural
        .options
        .iter()
        .flat_map(|(conditions, _)| conditions.split(','))
        .filter(|c| fits(c, Value::NotNumber).is_none())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_syntaxes() {
        let cases: &[(&str, Option<(usize, usize, usize)>)] = &[
            ("__plural_for_parameter__1__{1=day|rest=days}__ ago", Some((1, 2, 46))),
            ("__plural_for_parameter_2_{1=hour|rest=hours}__", Some((2, 2, 46))),
            ("__plural_for_parameter__12__{rest=x}__", Some((12, 1, 38))),
            // Real malformed tokens (fr, lt, pt-BR, da): the game cannot read them either.
            ("__plural_for_parameter__1__ {1=a|rest=b}__", None),
            ("__plural_for_parameter__1__ til", None),
            ("__plural_for_parameter__1__{1=a", None),
            ("__plural_for_parameter__x__{1=a}__", None),
        ];
        for (text, want) in cases {
            let got = parse_at(text).map(|p| (p.parameter, p.options.len(), p.len));
            assert_eq!(got, *want, "{text:?}");
        }
    }

    #[test]
    fn first_fitting_option_wins() {
        let ru = "__plural_for_parameter__1__{decimal=D|ends in 11,ends in 12,ends in 13,ends in 14=many|ends in 1=one|ends in 2,ends in 3,ends in 4=few|rest=many}__";
        let pl = "__plural_for_parameter_1_{1=godzina|ends in 12,ends in 13,ends in 14=godzin|ends in 2,ends in 3,ends in 4=godziny|rest=godzin}__";
        let misc = "__plural_for_parameter__1__{0=zero|2-4=some| ends in 5-9 =tail|resto=never|rest=other}__";
        let cases: &[(&str, &str, Option<&str>)] = &[
            (ru, "1", Some("one")),
            (ru, "11", Some("many")),
            (ru, "21", Some("one")),
            (ru, "111", Some("many")),
            (ru, "22", Some("few")),
            (ru, "5", Some("many")),
            (ru, "1.5", Some("D")),
            (ru, "abc", Some("many")),
            (pl, "1", Some("godzina")),
            (pl, "12", Some("godzin")),
            (pl, "22", Some("godziny")),
            (pl, "21", Some("godzin")),
            (misc, "0", Some("zero")),
            (misc, "3", Some("some")),
            (misc, "17", Some("tail")),
            (misc, "10", Some("other")),
            (misc, "-3", Some("other")),
            (misc, "3.0", Some("some")),
            ("__plural_for_parameter__1__{1=one}__", "2", None),
        ];
        for (template, value, want) in cases {
            let plural = parse_at(template).unwrap_or_else(|| panic!("parses: {template}"));
            assert_eq!(choose(&plural, value), *want, "{value} in {template}");
        }
    }

    #[test]
    fn reports_unreadable_conditions() {
        let p = parse_at("__plural_for_parameter__1__{1=a|end in 2,resto=b|ends in 3=c|rest=d}__");
        let bad = p.as_ref().map(check_conditions).unwrap_or_default();
        assert_eq!(bad, ["end in 2", "resto"]);
    }
}
