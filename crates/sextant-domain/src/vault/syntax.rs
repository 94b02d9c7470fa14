//! A small reader for the two policy syntaxes (spec §2.1): HCL v1 and JSON.
//!
//! Both produce the same tree. Unlike ordinary JSON or HCL libraries, the tree keeps every
//! repeated key in document order, because the server applies each one (spec §2.1, §2.3):
//! a JSON object that repeats a pattern yields two rules, and an HCL block that repeats
//! `capabilities` concatenates the lists. Every node carries its line and column so a
//! malformed policy can be reported precisely.

/// A position in a policy text: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// A syntax error with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where it happened.
    pub position: Position,
    /// What went wrong, lowercase, no trailing period.
    pub message: String,
}

/// A value in the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// A number, kept as written.
    Number(String),
    /// A boolean.
    Bool(bool),
    /// JSON `null`.
    Null,
    /// A list.
    List(Vec<Spanned>),
    /// An object: items in document order, repeats kept.
    Object(Vec<Item>),
}

/// A value and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    /// The value.
    pub value: Value,
    /// Where it starts.
    pub position: Position,
}

/// One object item: `key "label" … = value` or `key "label" { … }`.
///
/// HCL allows several keys (a key followed by labels); JSON items have exactly one.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The key, then any labels.
    pub keys: Vec<String>,
    /// The value (a block's body is an object).
    pub value: Spanned,
    /// Where the first key starts.
    pub position: Position,
}

impl Value {
    /// A short name of the value's type, for error messages.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "bool",
            Value::Null => "null",
            Value::List(_) => "list",
            Value::Object(_) => "object",
        }
    }
}

struct Cursor<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    position: Position,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor { chars: text.chars().peekable(), position: Position { line: 1, column: 1 } }
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let character = self.chars.next()?;
        if character == '\n' {
            self.position.line += 1;
            self.position.column = 1;
        } else {
            self.position.column += 1;
        }
        Some(character)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError { position: self.position, message: message.into() })
    }

    fn error_at<T>(position: Position, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError { position, message: message.into() })
    }

    /// Reads a double-quoted string; the opening quote is next.
    fn quoted_string(&mut self, json: bool) -> Result<String, SyntaxError> {
        let start = self.position;
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Cursor::error_at(start, "unterminated string"),
                Some('"') => return Ok(out),
                Some('\n') if !json => return Cursor::error_at(start, "unterminated string"),
                Some(character) if json && (character as u32) < 0x20 => {
                    return self.error("control character in string");
                }
                Some('\\') => {
                    let escape_position = self.position;
                    match self.bump() {
                        Some('n') => out.push('\n'),
                        Some('t') => out.push('\t'),
                        Some('r') => out.push('\r'),
                        Some('b') => out.push('\u{8}'),
                        Some('f') => out.push('\u{c}'),
                        Some('/') => out.push('/'),
                        Some('\\') => out.push('\\'),
                        Some('"') => out.push('"'),
                        Some('u') => {
                            let unit = self.hex4()?;
                            if (0xD800..0xDC00).contains(&unit) {
                                if self.bump() != Some('\\') || self.bump() != Some('u') {
                                    return Cursor::error_at(escape_position, "unpaired surrogate");
                                }
                                let low = self.hex4()?;
                                let combined = 0x10000
                                    + ((unit - 0xD800) << 10)
                                    + (low.wrapping_sub(0xDC00) & 0x3FF);
                                match char::from_u32(combined) {
                                    Some(character) => out.push(character),
                                    None => {
                                        return Cursor::error_at(escape_position, "invalid escape");
                                    }
                                }
                            } else {
                                match char::from_u32(unit) {
                                    Some(character) => out.push(character),
                                    None => {
                                        return Cursor::error_at(escape_position, "invalid escape");
                                    }
                                }
                            }
                        }
                        _ => return Cursor::error_at(escape_position, "invalid escape"),
                    }
                }
                Some(character) => out.push(character),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut unit = 0_u32;
        for _ in 0..4 {
            match self.bump().and_then(|character| character.to_digit(16)) {
                Some(digit) => unit = unit * 16 + digit,
                None => return self.error("invalid unicode escape"),
            }
        }
        Ok(unit)
    }

    fn number(&mut self) -> String {
        let mut out = String::new();
        while let Some(character) = self.peek() {
            if character.is_ascii_digit() || matches!(character, '-' | '+' | '.' | 'e' | 'E') {
                out.push(character);
                self.bump();
            } else {
                break;
            }
        }
        out
    }
}

fn valid_number(text: &str) -> bool {
    text.parse::<f64>().is_ok() && text.bytes().any(|byte| byte.is_ascii_digit())
}

// ---------------------------------------------------------------- HCL v1

#[derive(Debug, Clone, PartialEq)]
enum Token {
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Equals,
    Comma,
    Str(String),
    Ident(String),
    Number(String),
    End,
}

struct HclLexer<'a> {
    cursor: Cursor<'a>,
}

impl HclLexer<'_> {
    fn skip_trivia(&mut self) -> Result<(), SyntaxError> {
        loop {
            match self.cursor.peek() {
                Some(character) if character.is_whitespace() => {
                    self.cursor.bump();
                }
                Some('#') => self.skip_line(),
                Some('/') => {
                    let start = self.cursor.position;
                    self.cursor.bump();
                    match self.cursor.peek() {
                        Some('/') => self.skip_line(),
                        Some('*') => {
                            self.cursor.bump();
                            let mut previous = ' ';
                            loop {
                                match self.cursor.bump() {
                                    None => return Cursor::error_at(start, "unterminated comment"),
                                    Some('/') if previous == '*' => break,
                                    Some(character) => previous = character,
                                }
                            }
                        }
                        _ => return Cursor::error_at(start, "unexpected '/'"),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn skip_line(&mut self) {
        while let Some(character) = self.cursor.peek() {
            if character == '\n' {
                break;
            }
            self.cursor.bump();
        }
    }

    fn next(&mut self) -> Result<(Token, Position), SyntaxError> {
        self.skip_trivia()?;
        let position = self.cursor.position;
        let Some(character) = self.cursor.peek() else {
            return Ok((Token::End, position));
        };
        let token = match character {
            '{' => {
                self.cursor.bump();
                Token::LeftBrace
            }
            '}' => {
                self.cursor.bump();
                Token::RightBrace
            }
            '[' => {
                self.cursor.bump();
                Token::LeftBracket
            }
            ']' => {
                self.cursor.bump();
                Token::RightBracket
            }
            '=' => {
                self.cursor.bump();
                Token::Equals
            }
            ',' => {
                self.cursor.bump();
                Token::Comma
            }
            '"' => Token::Str(self.cursor.quoted_string(false)?),
            '<' => return Cursor::error_at(position, "heredoc strings are not supported here"),
            character if character.is_ascii_digit() || character == '-' => {
                let text = self.cursor.number();
                if !valid_number(&text) {
                    return Cursor::error_at(position, format!("invalid number {text:?}"));
                }
                Token::Number(text)
            }
            character if character.is_alphabetic() || character == '_' => {
                let mut text = String::new();
                while let Some(character) = self.cursor.peek() {
                    if character.is_alphanumeric() || matches!(character, '_' | '-' | '.' | ':') {
                        text.push(character);
                        self.cursor.bump();
                    } else {
                        break;
                    }
                }
                Token::Ident(text)
            }
            other => return Cursor::error_at(position, format!("unexpected character {other:?}")),
        };
        Ok((token, position))
    }
}

struct HclParser<'a> {
    lexer: HclLexer<'a>,
    lookahead: Option<(Token, Position)>,
}

impl HclParser<'_> {
    fn peek(&mut self) -> Result<&(Token, Position), SyntaxError> {
        if self.lookahead.is_none() {
            self.lookahead = Some(self.lexer.next()?);
        }
        match &self.lookahead {
            Some(token) => Ok(token),
            None => Cursor::error_at(self.lexer.cursor.position, "internal lexer state"),
        }
    }

    fn next(&mut self) -> Result<(Token, Position), SyntaxError> {
        match self.lookahead.take() {
            Some(token) => Ok(token),
            None => self.lexer.next(),
        }
    }

    /// Items until `}` (nested) or the end of the text (top level).
    fn items(&mut self, nested: bool) -> Result<Vec<Item>, SyntaxError> {
        let mut items = Vec::new();
        loop {
            let (token, position) = self.peek()?.clone();
            match token {
                Token::RightBrace if nested => {
                    self.next()?;
                    return Ok(items);
                }
                Token::End if !nested => return Ok(items),
                Token::End => return Cursor::error_at(position, "unclosed '{'"),
                Token::Comma if nested && !items.is_empty() => {
                    self.next()?;
                }
                Token::Str(_) | Token::Ident(_) => items.push(self.item()?),
                other => {
                    return Cursor::error_at(
                        position,
                        format!("expected a key, found {}", describe(&other)),
                    );
                }
            }
        }
    }

    fn item(&mut self) -> Result<Item, SyntaxError> {
        let mut keys = Vec::new();
        let mut item_position = None;
        loop {
            let (token, position) = self.next()?;
            match token {
                Token::Str(key) | Token::Ident(key) => {
                    item_position.get_or_insert(position);
                    keys.push(key);
                }
                Token::Equals if keys.len() == 1 => {
                    let value = self.value()?;
                    return Ok(Item { keys, value, position: item_position.unwrap_or(position) });
                }
                Token::LeftBrace => {
                    let items = self.items(true)?;
                    return Ok(Item {
                        keys,
                        value: Spanned { value: Value::Object(items), position },
                        position: item_position.unwrap_or(position),
                    });
                }
                other => {
                    return Cursor::error_at(
                        position,
                        format!("expected '=' or '{{', found {}", describe(&other)),
                    );
                }
            }
        }
    }

    fn value(&mut self) -> Result<Spanned, SyntaxError> {
        let (token, position) = self.next()?;
        let value = match token {
            Token::Str(text) => Value::Str(text),
            Token::Number(text) => Value::Number(text),
            Token::Ident(word) if word == "true" => Value::Bool(true),
            Token::Ident(word) if word == "false" => Value::Bool(false),
            Token::LeftBrace => Value::Object(self.items(true)?),
            Token::LeftBracket => {
                let mut values = Vec::new();
                loop {
                    let (token, _) = self.peek()?.clone();
                    if token == Token::RightBracket {
                        self.next()?;
                        break;
                    }
                    values.push(self.value()?);
                    let (token, position) = self.next()?;
                    match token {
                        Token::Comma => {}
                        Token::RightBracket => break,
                        other => {
                            return Cursor::error_at(
                                position,
                                format!("expected ',' or ']', found {}", describe(&other)),
                            );
                        }
                    }
                }
                Value::List(values)
            }
            other => {
                return Cursor::error_at(
                    position,
                    format!("expected a value, found {}", describe(&other)),
                );
            }
        };
        Ok(Spanned { value, position })
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::LeftBrace => "'{'".into(),
        Token::RightBrace => "'}'".into(),
        Token::LeftBracket => "'['".into(),
        Token::RightBracket => "']'".into(),
        Token::Equals => "'='".into(),
        Token::Comma => "','".into(),
        Token::Str(text) => format!("string {text:?}"),
        Token::Ident(text) => format!("{text:?}"),
        Token::Number(text) => format!("number {text}"),
        Token::End => "end of text".into(),
    }
}

/// Reads an HCL v1 document into its top-level items (repeats kept).
pub fn parse_hcl(text: &str) -> Result<Vec<Item>, SyntaxError> {
    let mut parser = HclParser { lexer: HclLexer { cursor: Cursor::new(text) }, lookahead: None };
    parser.items(false)
}

// ---------------------------------------------------------------- JSON

struct JsonParser<'a> {
    cursor: Cursor<'a>,
}

impl JsonParser<'_> {
    fn skip_whitespace(&mut self) {
        while matches!(self.cursor.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.cursor.bump();
        }
    }

    fn expect(&mut self, wanted: char) -> Result<(), SyntaxError> {
        self.skip_whitespace();
        match self.cursor.peek() {
            Some(found) if found == wanted => {
                self.cursor.bump();
                Ok(())
            }
            Some(found) => self.cursor.error(format!("expected {wanted:?}, found {found:?}")),
            None => self.cursor.error(format!("expected {wanted:?}, found end of text")),
        }
    }

    fn value(&mut self) -> Result<Spanned, SyntaxError> {
        self.skip_whitespace();
        let position = self.cursor.position;
        let value = match self.cursor.peek() {
            None => return self.cursor.error("expected a value, found end of text"),
            Some('{') => {
                self.cursor.bump();
                let mut items = Vec::new();
                self.skip_whitespace();
                if self.cursor.peek() == Some('}') {
                    self.cursor.bump();
                } else {
                    loop {
                        self.skip_whitespace();
                        let key_position = self.cursor.position;
                        if self.cursor.peek() != Some('"') {
                            return self.cursor.error("expected a string key");
                        }
                        let key = self.cursor.quoted_string(true)?;
                        self.expect(':')?;
                        let value = self.value()?;
                        items.push(Item { keys: vec![key], value, position: key_position });
                        self.skip_whitespace();
                        match self.cursor.bump() {
                            Some(',') => {}
                            Some('}') => break,
                            _ => return self.cursor.error("expected ',' or '}'"),
                        }
                    }
                }
                Value::Object(items)
            }
            Some('[') => {
                self.cursor.bump();
                let mut values = Vec::new();
                self.skip_whitespace();
                if self.cursor.peek() == Some(']') {
                    self.cursor.bump();
                } else {
                    loop {
                        values.push(self.value()?);
                        self.skip_whitespace();
                        match self.cursor.bump() {
                            Some(',') => {}
                            Some(']') => break,
                            _ => return self.cursor.error("expected ',' or ']'"),
                        }
                    }
                }
                Value::List(values)
            }
            Some('"') => Value::Str(self.cursor.quoted_string(true)?),
            Some(character) if character.is_ascii_digit() || character == '-' => {
                let text = self.cursor.number();
                if !valid_number(&text) {
                    return Cursor::error_at(position, format!("invalid number {text:?}"));
                }
                Value::Number(text)
            }
            Some(character) if character.is_ascii_alphabetic() => {
                let mut word = String::new();
                while let Some(character) = self.cursor.peek() {
                    if !character.is_ascii_alphabetic() {
                        break;
                    }
                    word.push(character);
                    self.cursor.bump();
                }
                match word.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    _ => return Cursor::error_at(position, format!("unexpected word {word:?}")),
                }
            }
            Some(other) => return self.cursor.error(format!("unexpected character {other:?}")),
        };
        Ok(Spanned { value, position })
    }
}

/// Reads a JSON document, keeping repeated object keys in order.
pub fn parse_json(text: &str) -> Result<Spanned, SyntaxError> {
    let mut parser = JsonParser { cursor: Cursor::new(text) };
    let value = parser.value()?;
    parser.skip_whitespace();
    if parser.cursor.peek().is_some() {
        return parser.cursor.error("unexpected text after the document");
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_keeps_repeats_labels_and_positions() {
        let items = parse_hcl("# c\npath \"a\" \"b\" {\n capabilities = [\"read\",]\n capabilities = []\n}\n/* x */ path uq {}").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].keys, vec!["path", "a", "b"]);
        assert_eq!(items[1].keys, vec!["path", "uq"]);
        assert_eq!(items[1].position, Position { line: 6, column: 9 });
        let Value::Object(body) = &items[0].value.value else { panic!() };
        assert_eq!(body.len(), 2);
    }

    #[test]
    fn json_keeps_duplicate_keys() {
        let value = parse_json(r#"{"path":{"x":{},"x":{"capabilities":["read"]}}}"#).unwrap();
        let Value::Object(top) = value.value else { panic!() };
        let Value::Object(rules) = &top[0].value.value else { panic!() };
        assert_eq!(rules.len(), 2);
    }

    #[test]
    fn errors_carry_positions() {
        let error = parse_hcl("path \"a\" {\n  capabilities = [\"read\"\n}").unwrap_err();
        assert_eq!(error.position.line, 3);
        let error = parse_json("{\n \"path\": }").unwrap_err();
        assert_eq!(error.position, Position { line: 2, column: 10 });
        assert!(parse_hcl("name{}").is_ok());
        assert!(parse_hcl("path \"a\" {").unwrap_err().message.contains("unclosed"));
    }
}
