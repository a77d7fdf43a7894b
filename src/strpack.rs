/*!
`string.pack`, `string.unpack` and `string.packsize` as Lua 5.3 defines them, with no Lua types.

The game's Lua is 5.2 with these three backported from 5.3's string library, and published mods
call them at file scope; Lua 5.1, 5.2 and LuaJIT lack them, so the binding installs these there.
The format language, the sizes and the error texts follow Lua 5.3 on a 64-bit host: `i` is 4
bytes, `j`/`J`/`l`/`L`/`T` are 8 (`l`/`L` follow C's `long`), the maximum alignment is 8, and
integers are 64-bit two's complement. Where 5.3 and 5.4 differ (an unterminated `z` in `unpack`,
an initial position of 0) this follows 5.3.

Arguments come through [`Args`], so the caller decides how its values convert (on Lua 5.1 and
5.2 every number is a double: [`integer_of`] is the rule for those). Every malformed format or
argument is an [`Error`], never a panic.
*/

use std::fmt;

/// The widest integer a format may ask for (`i16`).
pub const MAX_INT_SIZE: usize = 16;
/// `sizeof(lua_Integer)` in Lua 5.3 (and the game's `ptrdiff_t`): results are this wide.
const SZINT: usize = 8;
/// The strictest alignment `!` can ask for (the largest of C's scalar alignments).
const MAX_ALIGN: usize = 8;
/// Lua 5.3's `MAXSIZE` (`INT_MAX` on 64-bit hosts): the longest result and the largest number
/// a format may spell.
const MAX_SIZE: usize = i32::MAX as usize;

/// Why a pack, an unpack or a packsize failed, in Lua 5.3's words.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// The argument Lua blames (`bad argument #N`), or `None` for a plain error.
    pub arg: Option<usize>,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// The failures, one per message of Lua 5.3's `lstrlib.c`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A character that is no format option: "invalid format option 'y'".
    InvalidOption(u8),
    /// `c` without its length.
    MissingCharSize,
    /// `i`, `I`, `s` or `!` with a size outside 1..=16 (the size as read).
    IntegralSize(usize),
    /// `X` at the end, or followed by `c`, or by an option of size 0.
    InvalidNextForX,
    /// An alignment (after `!` caps it) that is not a power of two.
    AlignmentNotPowerOf2,
    /// `s` or `z` in packsize.
    VariableLength,
    /// A result longer than Lua's maximum string size.
    TooLarge,
    /// A signed value outside the option's range.
    IntegerOverflow,
    /// An unsigned value outside the option's range.
    UnsignedOverflow,
    /// A `c[n]` string longer than `n`.
    StringLongerThanSize,
    /// An `s[n]` string whose length does not fit in `n` bytes.
    LengthDoesNotFit,
    /// A `z` string with a zero byte inside.
    ContainsZeros,
    /// `unpack` ran past the end of its data.
    DataTooShort,
    /// `unpack`'s init outside 1..=#data+1 (after counting negatives from the end).
    InitialPositionOut,
    /// An integer wider than 8 bytes whose extra bytes are not a sign extension (its width).
    IntegerDoesNotFit(usize),
    /// An argument of the wrong type, as the argument source words it
    /// ("number expected, got nil", "number has no integer representation").
    Argument(String),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::InvalidOption(c) => write!(f, "invalid format option '{}'", char::from(*c)),
            ErrorKind::MissingCharSize => f.write_str("missing size for format option 'c'"),
            ErrorKind::IntegralSize(n) => write!(f, "integral size ({n}) out of limits [1,{MAX_INT_SIZE}]"),
            ErrorKind::InvalidNextForX => f.write_str("invalid next option for option 'X'"),
            ErrorKind::AlignmentNotPowerOf2 => f.write_str("format asks for alignment not power of 2"),
            ErrorKind::VariableLength => f.write_str("variable-length format"),
            ErrorKind::TooLarge => f.write_str("format result too large"),
            ErrorKind::IntegerOverflow => f.write_str("integer overflow"),
            ErrorKind::UnsignedOverflow => f.write_str("unsigned overflow"),
            ErrorKind::StringLongerThanSize => f.write_str("string longer than given size"),
            ErrorKind::LengthDoesNotFit => f.write_str("string length does not fit in given size"),
            ErrorKind::ContainsZeros => f.write_str("string contains zeros"),
            ErrorKind::DataTooShort => f.write_str("data string too short"),
            ErrorKind::InitialPositionOut => f.write_str("initial position out of string"),
            ErrorKind::IntegerDoesNotFit(n) => write!(f, "{n}-byte integer does not fit into Lua Integer"),
            ErrorKind::Argument(text) => f.write_str(text),
        }
    }
}

impl Error {
    fn plain(kind: ErrorKind) -> Error {
        Error { arg: None, kind }
    }

    fn arg(arg: usize, kind: ErrorKind) -> Error {
        Error { arg: Some(arg), kind }
    }

    /// The message Lua raises for this error from `function` ("pack", "unpack", "packsize").
    pub fn message(&self, function: &str) -> String {
        match self.arg {
            Some(arg) => format!("bad argument #{arg} to '{function}' ({})", self.kind),
            None => self.kind.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.arg {
            Some(arg) => write!(f, "bad argument #{arg} ({})", self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

impl std::error::Error for Error {}

/// The values `pack` packs, read on demand: `arg` is the Lua argument number (the format is 1).
/// An `Err` is the reason Lua gives in "bad argument #N to 'pack' (reason)".
pub trait Args {
    /// The integer for `i`, `I`, `b`, `j`, … (Lua's `luaL_checkinteger`).
    fn integer(&mut self, arg: usize) -> Result<i64, String>;
    /// The number for `f`, `d`, `n` (Lua's `luaL_checknumber`).
    fn number(&mut self, arg: usize) -> Result<f64, String>;
    /// The bytes for `s`, `z`, `c` (Lua's `luaL_checklstring`).
    fn bytes(&mut self, arg: usize) -> Result<Vec<u8>, String>;
}

/// The integer a double stands for, as Lua 5.3 converts a float to an integer: only integral
/// values in the 64-bit range have one.
pub fn integer_of(number: f64) -> Option<i64> {
    // 2^63 is exact as a double; the range is [-2^63, 2^63).
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (number.fract() == 0.0 && (-LIMIT..LIMIT).contains(&number)).then_some(number as i64)
}

/// One value `unpack` read.
#[derive(Debug, Clone, PartialEq)]
pub enum Unpacked<'a> {
    /// From an integer option (`b`, `i4`, `J`, …).
    Integer(i64),
    /// From `f`, `d` or `n`.
    Float(f64),
    /// From `c[n]`, `s[n]` or `z`: a slice of the data.
    Bytes(&'a [u8]),
}

/// What one format option asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Uint,
    Float,
    /// `c[n]`: a fixed-size string.
    Char,
    /// `s[n]`: a string after its length.
    Str,
    /// `z`: a zero-terminated string.
    Zstr,
    /// `x`: one padding byte.
    Padding,
    /// `X<op>`: padding up to `op`'s alignment.
    PadAlign,
    /// Spaces and settings (`<`, `>`, `=`, `!`).
    Nop,
}

/// One option with its size and the padding that aligns it.
struct Item {
    kind: Kind,
    size: usize,
    pad: usize,
}

/// Reads a format one option at a time, keeping the endianness and alignment settings.
struct Format<'a> {
    fmt: &'a [u8],
    at: usize,
    little: bool,
    max_align: usize,
}

impl<'a> Format<'a> {
    fn new(fmt: &'a [u8]) -> Format<'a> {
        // Lua reads the format as a C string: it ends at the first zero byte.
        let end = fmt.iter().position(|&b| b == 0).unwrap_or(fmt.len());
        Format { fmt: &fmt[..end], at: 0, little: cfg!(target_endian = "little"), max_align: 1 }
    }

    fn done(&self) -> bool {
        self.at >= self.fmt.len()
    }

    /// A decimal number at the cursor, or `default` when there is none. Like Lua, stops reading
    /// digits once another would overflow MAX_SIZE; the rest then reads as options.
    fn number(&mut self, default: usize) -> usize {
        let fmt = self.fmt;
        let mut digits = fmt[self.at..].iter().take_while(|b| b.is_ascii_digit()).peekable();
        if digits.peek().is_none() {
            return default;
        }
        let mut value = 0usize;
        for &digit in digits {
            value = value * 10 + usize::from(digit - b'0');
            self.at += 1;
            if value > (MAX_SIZE - 9) / 10 {
                break;
            }
        }
        value
    }

    /// A size for `i`, `I`, `s`, `!`: 1..=16, `default` when absent.
    fn int_size(&mut self, default: usize) -> Result<usize, Error> {
        match self.number(default) {
            size @ 1..=MAX_INT_SIZE => Ok(size),
            size => Err(Error::plain(ErrorKind::IntegralSize(size))),
        }
    }

    /// The next option and its size (`getoption` in lstrlib.c); the cursor is not at the end.
    fn option(&mut self) -> Result<(Kind, usize), Error> {
        let Some(&c) = self.fmt.get(self.at) else { return Ok((Kind::Nop, 0)) };
        self.at += 1;
        let long = std::mem::size_of::<std::ffi::c_long>();
        Ok(match c {
            b'b' => (Kind::Int, 1),
            b'B' => (Kind::Uint, 1),
            b'h' => (Kind::Int, 2),
            b'H' => (Kind::Uint, 2),
            b'l' => (Kind::Int, long),
            b'L' => (Kind::Uint, long),
            b'j' => (Kind::Int, SZINT),
            b'J' => (Kind::Uint, SZINT),
            b'T' => (Kind::Uint, std::mem::size_of::<usize>()),
            b'f' => (Kind::Float, 4),
            b'd' | b'n' => (Kind::Float, 8),
            b'i' => (Kind::Int, self.int_size(4)?),
            b'I' => (Kind::Uint, self.int_size(4)?),
            b's' => (Kind::Str, self.int_size(std::mem::size_of::<usize>())?),
            b'c' => match self.number(usize::MAX) {
                usize::MAX => return Err(Error::plain(ErrorKind::MissingCharSize)),
                size => (Kind::Char, size),
            },
            b'z' => (Kind::Zstr, 0),
            b'x' => (Kind::Padding, 1),
            b'X' => (Kind::PadAlign, 0),
            b' ' => (Kind::Nop, 0),
            b'<' => {
                self.little = true;
                (Kind::Nop, 0)
            }
            b'>' => {
                self.little = false;
                (Kind::Nop, 0)
            }
            b'=' => {
                self.little = cfg!(target_endian = "little");
                (Kind::Nop, 0)
            }
            b'!' => {
                self.max_align = self.int_size(MAX_ALIGN)?;
                (Kind::Nop, 0)
            }
            other => return Err(Error::plain(ErrorKind::InvalidOption(other))),
        })
    }

    /// The next option with the padding that aligns it at offset `total` (`getdetails`).
    fn item(&mut self, total: usize) -> Result<Item, Error> {
        let (kind, size) = self.option()?;
        let mut align = size;
        if kind == Kind::PadAlign {
            // `X` takes its alignment from the option after it, which it consumes.
            if self.done() {
                return Err(Error::arg(1, ErrorKind::InvalidNextForX));
            }
            let (next, next_size) = self.option()?;
            if next == Kind::Char || next_size == 0 {
                return Err(Error::arg(1, ErrorKind::InvalidNextForX));
            }
            align = next_size;
        }
        let pad = if align <= 1 || kind == Kind::Char {
            0
        } else {
            let align = align.min(self.max_align);
            if !align.is_power_of_two() {
                return Err(Error::arg(1, ErrorKind::AlignmentNotPowerOf2));
            }
            (align - (total & (align - 1))) & (align - 1)
        };
        Ok(Item { kind, size, pad })
    }
}

/// Appends `value`'s low `size` bytes; beyond 8 bytes, negative values extend with 0xff.
fn put_int(out: &mut Vec<u8>, value: u64, little: bool, size: usize, negative: bool) {
    let fill = if negative { 0xff } else { 0 };
    let start = out.len();
    out.extend((0..size).map(|i| if i < SZINT { (value >> (8 * i)) as u8 } else { fill }));
    if !little {
        out[start..].reverse();
    }
}

/// Reads a `size`-byte integer (`unpackint`): narrower ones sign-extend when `signed`, wider
/// ones must carry only sign extension in their extra bytes.
fn get_int(bytes: &[u8], little: bool, signed: bool) -> Result<i64, Error> {
    let size = bytes.len();
    let byte = |i: usize| if little { bytes[i] } else { bytes[size - 1 - i] };
    let mut value = (0..size.min(SZINT)).rev().fold(0u64, |acc, i| (acc << 8) | u64::from(byte(i)));
    if size < SZINT {
        if signed {
            let mask = 1u64 << (size * 8 - 1);
            value = (value ^ mask).wrapping_sub(mask);
        }
    } else if size > SZINT {
        let fill = if signed && (value as i64) < 0 { 0xff } else { 0 };
        if (SZINT..size).any(|i| byte(i) != fill) {
            return Err(Error::plain(ErrorKind::IntegerDoesNotFit(size)));
        }
    }
    Ok(value as i64)
}

/// `string.pack(fmt, ...)`: the bytes of the values `args` gives (from argument 2 on).
pub fn pack(fmt: &[u8], args: &mut dyn Args) -> Result<Vec<u8>, Error> {
    let mut format = Format::new(fmt);
    let mut out = Vec::new();
    let mut arg = 1;
    while !format.done() {
        let item = format.item(out.len())?;
        // Lua builds strings up to MAX_SIZE; refusing earlier keeps `c2000000000` from
        // allocating gigabytes of padding.
        if out.len() + item.pad + item.size > MAX_SIZE {
            return Err(Error::arg(1, ErrorKind::TooLarge));
        }
        out.resize(out.len() + item.pad, 0);
        arg += 1;
        let this = arg;
        let bad = |kind| Error::arg(this, kind);
        let argument = |text| Error::arg(this, ErrorKind::Argument(text));
        match item.kind {
            Kind::Int => {
                let n = args.integer(arg).map_err(argument)?;
                if item.size < SZINT {
                    let limit = 1i64 << (item.size * 8 - 1);
                    if !(-limit..limit).contains(&n) {
                        return Err(bad(ErrorKind::IntegerOverflow));
                    }
                }
                put_int(&mut out, n as u64, format.little, item.size, n < 0);
            }
            Kind::Uint => {
                let n = args.integer(arg).map_err(argument)?;
                if item.size < SZINT && (n as u64) >= 1u64 << (item.size * 8) {
                    return Err(bad(ErrorKind::UnsignedOverflow));
                }
                put_int(&mut out, n as u64, format.little, item.size, false);
            }
            Kind::Float => {
                let n = args.number(arg).map_err(argument)?;
                let start = out.len();
                if item.size == 4 {
                    out.extend_from_slice(&(n as f32).to_le_bytes());
                } else {
                    out.extend_from_slice(&n.to_le_bytes());
                }
                if !format.little {
                    out[start..].reverse();
                }
            }
            Kind::Char => {
                let s = args.bytes(arg).map_err(argument)?;
                if s.len() > item.size {
                    return Err(bad(ErrorKind::StringLongerThanSize));
                }
                out.extend_from_slice(&s);
                out.resize(out.len() + item.size - s.len(), 0);
            }
            Kind::Str => {
                let s = args.bytes(arg).map_err(argument)?;
                if item.size < SZINT && s.len() >= 1usize << (item.size * 8) {
                    return Err(bad(ErrorKind::LengthDoesNotFit));
                }
                if out.len() + item.size + s.len() > MAX_SIZE {
                    return Err(Error::arg(1, ErrorKind::TooLarge));
                }
                put_int(&mut out, s.len() as u64, format.little, item.size, false);
                out.extend_from_slice(&s);
            }
            Kind::Zstr => {
                let s = args.bytes(arg).map_err(argument)?;
                if s.contains(&0) {
                    return Err(bad(ErrorKind::ContainsZeros));
                }
                if out.len() + s.len() + 1 > MAX_SIZE {
                    return Err(Error::arg(1, ErrorKind::TooLarge));
                }
                out.extend_from_slice(&s);
                out.push(0);
            }
            Kind::Padding | Kind::PadAlign | Kind::Nop => {
                if item.kind == Kind::Padding {
                    out.push(0);
                }
                // These take no value.
                arg -= 1;
            }
        }
    }
    Ok(out)
}

/// `string.packsize(fmt)`: the length of what `pack` makes of `fmt`, which must have no `s` or `z`.
pub fn packsize(fmt: &[u8]) -> Result<usize, Error> {
    let mut format = Format::new(fmt);
    let mut total = 0usize;
    while !format.done() {
        let item = format.item(total)?;
        if matches!(item.kind, Kind::Str | Kind::Zstr) {
            return Err(Error::arg(1, ErrorKind::VariableLength));
        }
        let size = item.size + item.pad;
        if total > MAX_SIZE - size.min(MAX_SIZE) || size > MAX_SIZE {
            return Err(Error::arg(1, ErrorKind::TooLarge));
        }
        total += size;
    }
    Ok(total)
}

/// `string.unpack(fmt, data, init)`: the values read from `data` at the 1-based position `init`
/// (negative counts from the end), and the position after the last byte read.
pub fn unpack<'a>(fmt: &[u8], data: &'a [u8], init: i64) -> Result<(Vec<Unpacked<'a>>, usize), Error> {
    let too_short = || Error::arg(2, ErrorKind::DataTooShort);
    // Lua 5.3's posrelat: negatives count from the end, too far back is 0; then 0-based.
    let len = data.len();
    let start = match init {
        n if n > 0 => usize::try_from(n - 1).unwrap_or(usize::MAX),
        n if n.unsigned_abs() > len as u64 || n == 0 => return Err(Error::arg(3, ErrorKind::InitialPositionOut)),
        n => len - n.unsigned_abs() as usize,
    };
    if start > len {
        return Err(Error::arg(3, ErrorKind::InitialPositionOut));
    }
    let mut pos = start;
    let mut format = Format::new(fmt);
    let mut values = Vec::new();
    while !format.done() {
        let item = format.item(pos)?;
        let end = pos.checked_add(item.pad + item.size).filter(|&end| end <= len).ok_or_else(too_short)?;
        pos += item.pad;
        // In range: `end` is within the data.
        let field = &data[pos..end];
        match item.kind {
            Kind::Int | Kind::Uint => {
                values.push(Unpacked::Integer(get_int(field, format.little, item.kind == Kind::Int)?))
            }
            Kind::Float => {
                let mut bytes = field.to_vec();
                if !format.little {
                    bytes.reverse();
                }
                let value = match <[u8; 4]>::try_from(&bytes[..]) {
                    Ok(four) => f64::from(f32::from_le_bytes(four)),
                    Err(_) => <[u8; 8]>::try_from(&bytes[..]).map(f64::from_le_bytes).map_err(|_| too_short())?,
                };
                values.push(Unpacked::Float(value));
            }
            Kind::Char => values.push(Unpacked::Bytes(field)),
            Kind::Str => {
                // Lua reads the length as an integer, then as size_t: a negative one is huge.
                let length = get_int(field, format.little, false)? as u64;
                let text = usize::try_from(length)
                    .ok()
                    .and_then(|length| end.checked_add(length))
                    .filter(|&stop| stop <= len)
                    .map(|stop| &data[end..stop])
                    .ok_or_else(too_short)?;
                values.push(Unpacked::Bytes(text));
                pos += text.len();
            }
            Kind::Zstr => {
                // Lua strings end in a hidden zero: an unterminated `z` (5.3) runs to the end and
                // the next position is one past it.
                let text = &data[pos..];
                let text = &text[..text.iter().position(|&b| b == 0).unwrap_or(text.len())];
                values.push(Unpacked::Bytes(text));
                pos += text.len() + 1;
            }
            Kind::Padding | Kind::PadAlign | Kind::Nop => {}
        }
        pos += item.size;
    }
    Ok((values, pos + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pack arguments for tests, in the conversions Lua 5.2 makes (numbers are doubles).
    #[derive(Debug, Clone, Copy)]
    enum A {
        N(f64),
        S(&'static [u8]),
        Nil,
    }

    struct TestArgs(Vec<A>);

    impl TestArgs {
        fn get(&self, arg: usize) -> Option<&A> {
            self.0.get(arg - 2)
        }
        fn type_error(&self, arg: usize, expected: &str) -> String {
            let got = match self.get(arg) {
                None => "no value",
                Some(A::Nil) => "nil",
                Some(A::N(_)) => "number",
                Some(A::S(_)) => "string",
            };
            format!("{expected} expected, got {got}")
        }
    }

    impl Args for TestArgs {
        fn integer(&mut self, arg: usize) -> Result<i64, String> {
            match self.get(arg) {
                Some(A::N(n)) => integer_of(*n).ok_or_else(|| "number has no integer representation".to_string()),
                _ => Err(self.type_error(arg, "number")),
            }
        }
        fn number(&mut self, arg: usize) -> Result<f64, String> {
            match self.get(arg) {
                Some(A::N(n)) => Ok(*n),
                _ => Err(self.type_error(arg, "number")),
            }
        }
        fn bytes(&mut self, arg: usize) -> Result<Vec<u8>, String> {
            match self.get(arg) {
                Some(A::S(s)) => Ok(s.to_vec()),
                _ => Err(self.type_error(arg, "string")),
            }
        }
    }

    fn pack_ok(fmt: &str, args: &[A]) -> Vec<u8> {
        pack(fmt.as_bytes(), &mut TestArgs(args.to_vec())).unwrap_or_else(|e| panic!("pack {fmt:?}: {e}"))
    }

    fn pack_err(fmt: &str, args: &[A]) -> String {
        pack(fmt.as_bytes(), &mut TestArgs(args.to_vec())).expect_err(fmt).message("pack")
    }

    fn unpack_err(fmt: &str, data: &[u8], init: i64) -> String {
        unpack(fmt.as_bytes(), data, init).expect_err(fmt).message("unpack")
    }

    use A::{N, Nil, S};

    #[test]
    fn packs_known_bytes() {
        let cases: &[(&str, &[A], &[u8])] = &[
            ("<i4", &[N(1.0)], b"\x01\0\0\0"),
            (">I2", &[N(258.0)], b"\x01\x02"),
            ("<i2", &[N(-2.0)], b"\xfe\xff"),
            ("b", &[N(-128.0)], b"\x80"),
            ("B", &[N(255.0)], b"\xff"),
            ("<h", &[N(-1.0)], b"\xff\xff"),
            (">j", &[N(1.0)], b"\0\0\0\0\0\0\0\x01"),
            ("<i16", &[N(-1.0)], &[0xff; 16]),
            (">I9", &[N(1.0)], b"\0\0\0\0\0\0\0\0\x01"),
            ("<I3", &[N(0x010203 as f64)], b"\x03\x02\x01"),
            ("z", &[S(b"ab")], b"ab\0"),
            ("s1", &[S(b"hi")], b"\x02hi"),
            ("<s2", &[S(b"hi")], b"\x02\0hi"),
            ("c3", &[S(b"ab")], b"ab\0"),
            ("c0", &[S(b"")], b""),
            ("<d", &[N(1.0)], b"\0\0\0\0\0\0\xf0\x3f"),
            (">d", &[N(-2.5)], b"\xc0\x04\0\0\0\0\0\0"),
            ("<f", &[N(0.5)], b"\0\0\0\x3f"),
            (">n", &[N(1.0)], b"\x3f\xf0\0\0\0\0\0\0"),
            ("x", &[], b"\0"),
            ("b x b", &[N(1.0), N(2.0)], b"\x01\0\x02"),
            // Alignment only with `!`: i4 after one byte pads to 4.
            ("!<b i4", &[N(1.0), N(2.0)], b"\x01\0\0\0\x02\0\0\0"),
            ("<b i4", &[N(1.0), N(2.0)], b"\x01\x02\0\0\0"),
            // `!2` caps the alignment; `Xi4` aligns like i4 and packs nothing.
            ("!2<b i8", &[N(1.0), N(2.0)], b"\x01\0\x02\0\0\0\0\0\0\0"),
            ("!<b Xi4 b", &[N(1.0), N(2.0)], b"\x01\0\0\0\x02"),
            // c never aligns.
            ("!<b c2", &[N(1.0), S(b"ab")], b"\x01ab"),
            // The format ends at a zero byte, as a C string does.
            ("b\0b", &[N(1.0), N(2.0)], b"\x01"),
        ];
        for (fmt, args, bytes) in cases {
            assert_eq!(pack_ok(fmt, args), *bytes, "{fmt:?}");
        }
    }

    #[test]
    fn unpacks_what_it_packs() {
        let cases: &[(&str, &[A])] = &[
            (
                "<i4 >I2 b B h H l L j J T",
                &[
                    N(-5.0),
                    N(258.0),
                    N(-1.0),
                    N(200.0),
                    N(-300.0),
                    N(60000.0),
                    N(-7.0),
                    N(7.0),
                    N(-9.0),
                    N(9.0),
                    N(3.0),
                ],
            ),
            (
                "i1 i2 i3 i5 i7 I1 I3 I6 I8 i9 i16",
                &[N(-1.0), N(1.0), N(-70000.0), N(1e10), N(-1e15), N(255.0), N(1.0), N(2.0), N(3.0), N(-4.0), N(5.0)],
            ),
            ("f d n", &[N(0.25), N(1e300), N(-0.0)]),
            ("z s1 s c5", &[S(b"hello"), S(b"x"), S(b""), S(b"abcde")]),
            ("!8 b d b j", &[N(1.0), N(2.5), N(3.0), N(4.0)]),
        ];
        for (fmt, args) in cases {
            let bytes = pack_ok(fmt, args);
            let (values, next) = unpack(fmt.as_bytes(), &bytes, 1).unwrap_or_else(|e| panic!("{fmt:?}: {e}"));
            assert_eq!(next, bytes.len() + 1, "{fmt:?}");
            let back: Vec<A> = values
                .into_iter()
                .map(|v| match v {
                    Unpacked::Integer(i) => N(i as f64),
                    Unpacked::Float(f) => N(f),
                    Unpacked::Bytes(b) => S(Box::leak(b.to_vec().into_boxed_slice())),
                })
                .collect();
            assert_eq!(format!("{back:?}"), format!("{args:?}"), "{fmt:?}");
        }
    }

    #[test]
    fn unpack_reads_from_init_and_returns_the_next_position() {
        assert_eq!(unpack(b"b", b"\x01\x02\x03", 2), Ok((vec![Unpacked::Integer(2)], 3)));
        assert_eq!(unpack(b"b", b"\x01\x02\x03", -1), Ok((vec![Unpacked::Integer(3)], 4)));
        assert_eq!(unpack(b"b", b"\x01\x02\x03", -3), Ok((vec![Unpacked::Integer(1)], 2)));
        assert_eq!(unpack(b"", b"abc", 4), Ok((vec![], 4)));
        assert_eq!(unpack(b"<I3", b"\x03\x02\x01", 1), Ok((vec![Unpacked::Integer(0x010203)], 4)));
        // Alignment counts from the start of the data, not from init.
        assert_eq!(unpack(b"!<i2", b"\0\0\x05\0\0", 2), Ok((vec![Unpacked::Integer(5)], 5)));
        // A 9-byte integer whose top byte is sign extension fits.
        assert_eq!(unpack(b"<i9", &[0xff; 9], 1), Ok((vec![Unpacked::Integer(-1)], 10)));
        // Unsigned 8-byte values wrap into the signed 64-bit range, as Lua 5.3's integers do.
        assert_eq!(unpack(b"J", &[0xff; 8], 1), Ok((vec![Unpacked::Integer(-1)], 9)));
        // 5.3: an unterminated z runs to the end of the data.
        assert_eq!(unpack(b"z", b"abc", 1), Ok((vec![Unpacked::Bytes(b"abc")], 5)));
        assert_eq!(unpack(b"zz", b"a\0b\0", 1), Ok((vec![Unpacked::Bytes(b"a"), Unpacked::Bytes(b"b")], 5)));
    }

    #[test]
    fn packsize_adds_sizes_and_alignment() {
        let cases: &[(&str, usize)] = &[
            ("", 0),
            ("i", 4),
            ("b h i l j T f d n", 1 + 2 + 4 + 8 + 8 + 8 + 4 + 8 + 8),
            ("i16 c10 x", 27),
            ("!b d", 16),
            ("!4 b d", 12),
            ("b Xd", 1),
            ("!b Xd", 8),
            ("c214748364", 214_748_364),
        ];
        for (fmt, size) in cases {
            assert_eq!(packsize(fmt.as_bytes()), Ok(*size), "{fmt:?}");
        }
    }

    #[test]
    fn format_errors_use_lua_words() {
        let cases: &[(&str, &str)] = &[
            ("y", "invalid format option 'y'"),
            ("i17", "integral size (17) out of limits [1,16]"),
            ("i0", "integral size (0) out of limits [1,16]"),
            ("!17", "integral size (17) out of limits [1,16]"),
            ("s0", "integral size (0) out of limits [1,16]"),
            ("c", "missing size for format option 'c'"),
            ("X", "bad argument #1 to 'pack' (invalid next option for option 'X')"),
            ("Xc1", "bad argument #1 to 'pack' (invalid next option for option 'X')"),
            ("Xz", "bad argument #1 to 'pack' (invalid next option for option 'X')"),
            ("X<", "bad argument #1 to 'pack' (invalid next option for option 'X')"),
            ("Xc", "missing size for format option 'c'"),
            ("!3 i4", "bad argument #1 to 'pack' (format asks for alignment not power of 2)"),
            ("!8 i3", "bad argument #1 to 'pack' (format asks for alignment not power of 2)"),
        ];
        for (fmt, message) in cases {
            assert_eq!(pack_err(fmt, &[N(1.0); 4]), *message, "{fmt:?}");
        }
        // Digits stop once the number would pass INT_MAX; the rest is an option.
        assert_eq!(
            packsize(b"c2147483647").map_err(|e| e.message("packsize")),
            Err("invalid format option '7'".into())
        );
        assert_eq!(
            packsize(b"z").map_err(|e| e.message("packsize")),
            Err("bad argument #1 to 'packsize' (variable-length format)".into())
        );
        assert_eq!(
            packsize(b"s4").map_err(|e| e.message("packsize")),
            Err("bad argument #1 to 'packsize' (variable-length format)".into())
        );
        assert_eq!(
            packsize(b"c1000000000c1000000000c1000000000").map_err(|e| e.message("packsize")),
            Err("bad argument #1 to 'packsize' (format result too large)".into())
        );
        assert_eq!(
            pack_err("c1000000000c1000000000c1000000000", &[S(b""), S(b""), S(b"")]),
            "bad argument #1 to 'pack' (format result too large)"
        );
    }

    #[test]
    fn value_errors_name_the_argument() {
        let cases: &[(&str, &[A], &str)] = &[
            ("i1", &[N(200.0)], "bad argument #2 to 'pack' (integer overflow)"),
            ("i1", &[N(-129.0)], "bad argument #2 to 'pack' (integer overflow)"),
            ("b b", &[N(1.0), N(128.0)], "bad argument #3 to 'pack' (integer overflow)"),
            ("x b", &[N(128.0)], "bad argument #2 to 'pack' (integer overflow)"),
            ("B", &[N(256.0)], "bad argument #2 to 'pack' (unsigned overflow)"),
            ("I2", &[N(-1.0)], "bad argument #2 to 'pack' (unsigned overflow)"),
            ("i4", &[N(1.5)], "bad argument #2 to 'pack' (number has no integer representation)"),
            (
                "j",
                &[N(9_223_372_036_854_775_808.0)],
                "bad argument #2 to 'pack' (number has no integer representation)",
            ),
            ("i4", &[], "bad argument #2 to 'pack' (number expected, got no value)"),
            ("i4", &[Nil], "bad argument #2 to 'pack' (number expected, got nil)"),
            ("d", &[S(b"x")], "bad argument #2 to 'pack' (number expected, got string)"),
            ("z", &[N(1.0)], "bad argument #2 to 'pack' (string expected, got number)"),
            ("c2", &[S(b"abc")], "bad argument #2 to 'pack' (string longer than given size)"),
            ("z", &[S(b"a\0b")], "bad argument #2 to 'pack' (string contains zeros)"),
            ("s1", &[S(&[b'x'; 256])], "bad argument #2 to 'pack' (string length does not fit in given size)"),
        ];
        for (fmt, args, message) in cases {
            assert_eq!(pack_err(fmt, args), *message, "{fmt:?}");
        }
        // The largest values of each width pack.
        assert_eq!(pack_ok("<i1 B I2 j", &[N(127.0), N(255.0), N(65535.0), N(-9_223_372_036_854_775_808.0)]).len(), 12);
        assert_eq!(pack_ok("s1", &[S(&[b'x'; 255])]).len(), 256);
    }

    #[test]
    fn unpack_errors_use_lua_words() {
        assert_eq!(unpack_err("i4", b"abc", 1), "bad argument #2 to 'unpack' (data string too short)");
        assert_eq!(unpack_err("b", b"abc", 4), "bad argument #2 to 'unpack' (data string too short)");
        assert_eq!(unpack_err("!i4", b"abcde", 2), "bad argument #2 to 'unpack' (data string too short)");
        assert_eq!(unpack_err("s1", b"\x05abc", 1), "bad argument #2 to 'unpack' (data string too short)");
        assert_eq!(unpack_err("<s8", &[0xff; 8], 1), "bad argument #2 to 'unpack' (data string too short)");
        assert_eq!(unpack_err("zb", b"abc", 1), "bad argument #2 to 'unpack' (data string too short)");
        assert_eq!(unpack_err("zz", b"abc", 1), "bad argument #2 to 'unpack' (data string too short)");
        assert_eq!(unpack_err("i4", b"abcd", 6), "bad argument #3 to 'unpack' (initial position out of string)");
        assert_eq!(unpack_err("i4", b"abcd", 0), "bad argument #3 to 'unpack' (initial position out of string)");
        assert_eq!(unpack_err("i4", b"abcd", -5), "bad argument #3 to 'unpack' (initial position out of string)");
        assert_eq!(unpack_err("i4", b"abcd", i64::MIN), "bad argument #3 to 'unpack' (initial position out of string)");
        assert_eq!(unpack_err("i4", b"abcd", i64::MAX), "bad argument #3 to 'unpack' (initial position out of string)");
        assert_eq!(
            unpack_err("<i9", &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], 1),
            "9-byte integer does not fit into Lua Integer"
        );
        assert_eq!(unpack_err("<I9", &[0xff; 9], 1), "9-byte integer does not fit into Lua Integer");
        assert_eq!(
            unpack_err("<i9", &[0, 0, 0, 0, 0, 0, 0, 0x80, 0], 1),
            "9-byte integer does not fit into Lua Integer"
        );
        assert_eq!(unpack_err("y", b"", 1), "invalid format option 'y'");
    }

    #[test]
    fn integer_of_takes_only_integral_doubles_in_range() {
        assert_eq!(integer_of(3.0), Some(3));
        assert_eq!(integer_of(-0.0), Some(0));
        assert_eq!(integer_of(-9_223_372_036_854_775_808.0), Some(i64::MIN));
        assert_eq!(integer_of(9_223_372_036_854_775_808.0), None);
        assert_eq!(integer_of(0.5), None);
        assert_eq!(integer_of(f64::NAN), None);
        assert_eq!(integer_of(f64::INFINITY), None);
    }

    #[test]
    fn malformed_formats_never_panic() {
        // Every short format over the option alphabet, packed with a mix of values and unpacked
        // from short data: each either works or is an Err.
        let alphabet = b"bBhHlLjJTiIfdnszxXc!<>= 0179\0y";
        let mut fmt = Vec::new();
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    fmt.clear();
                    fmt.extend([*a, *b, *c]);
                    let _ = pack(&fmt, &mut TestArgs(vec![N(1.0), S(b"ab"), N(-1.0), N(1e300)]));
                    let _ = packsize(&fmt);
                    for init in [-3, 1, 2, 9] {
                        let _ = unpack(&fmt, b"\x02\xff\0abcdefghijklmnop", init);
                    }
                }
            }
        }
    }
}
