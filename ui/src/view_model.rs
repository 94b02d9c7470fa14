//! Plain functions that shape protocol data for the pages: rows, tones, filtering. No DOM here,
//! so these are tested natively.

pub(crate) mod drift_tree;
pub(crate) mod graph;

use sextant_protocol::{drift::Verdict, policy::ResultCounts};

/// A colour family for badges and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Fine.
    Good,
    /// Look soon.
    Warn,
    /// Look now.
    Bad,
    /// Neither.
    Neutral,
}

impl Tone {
    /// The CSS class.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Tone::Good => "tone-good",
            Tone::Warn => "tone-warn",
            Tone::Bad => "tone-bad",
            Tone::Neutral => "tone-neutral",
        }
    }
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cell {
    /// Plain text.
    Text(String),
    /// Monospace text (names, paths, revisions).
    Code(String),
    /// A coloured label.
    Badge(String, Tone),
}

impl Cell {
    /// The text the filter searches.
    pub(crate) fn text(&self) -> &str {
        match self {
            Cell::Text(text) | Cell::Code(text) | Cell::Badge(text, _) => text,
        }
    }
}

/// One table row with a stable key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// Unique within the table.
    pub(crate) key: String,
    /// The cells, one per header.
    pub(crate) cells: Vec<Cell>,
}

/// The rows containing every word of `query` (case-insensitive) in some cell.
#[cfg(test)]
pub(crate) fn filter_rows<'a>(rows: &'a [Row], query: &str) -> Vec<&'a Row> {
    let haystacks: Vec<String> = rows.iter().map(row_haystack).collect();
    matching(&haystacks, query).into_iter().map(|index| &rows[index]).collect()
}

/// The text of a row the filter searches, lower-cased.
pub(crate) fn row_haystack(row: &Row) -> String {
    row.cells.iter().map(|cell| cell.text().to_lowercase() + " ").collect()
}

/// The indices of the `haystacks` that hold every word of `query`.
pub(crate) fn matching(haystacks: &[String], query: &str) -> Vec<usize> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    haystacks
        .iter()
        .enumerate()
        .filter(|(_, haystack)| words.iter().all(|word| haystack.contains(word.as_str())))
        .map(|(index, _)| index)
        .collect()
}

/// A verdict's label and tone.
pub(crate) fn verdict(verdict: Verdict) -> (&'static str, Tone) {
    match verdict {
        Verdict::InSync => ("In sync", Tone::Good),
        Verdict::OutOfSync => ("Out of sync", Tone::Bad),
        Verdict::Failed => ("Failed", Tone::Bad),
        Verdict::Progressing => ("Progressing", Tone::Neutral),
        Verdict::Stale => ("Stale", Tone::Warn),
        Verdict::Suspended => ("Suspended", Tone::Neutral),
        Verdict::Unknown => ("Unknown", Tone::Neutral),
    }
}

/// The tone of a policy's results.
pub(crate) fn results_tone(counts: &ResultCounts) -> Tone {
    if counts.fail > 0 || counts.error > 0 {
        Tone::Bad
    } else if counts.warn > 0 {
        Tone::Warn
    } else {
        Tone::Good
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, cells: &[&str]) -> Row {
        Row {
            key: key.into(),
            cells: cells.iter().map(|cell| Cell::Text((*cell).into())).collect(),
        }
    }

    #[test]
    fn every_word_must_match_some_cell() {
        let rows = vec![
            row("a", &["prod-eu", "HTTPRoute", "shop/web"]),
            row("b", &["staging", "HTTPRoute", "shop/api"]),
        ];
        let keys =
            |query| filter_rows(&rows, query).iter().map(|row| row.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys("SHOP prod"), vec!["a"]);
        assert_eq!(keys(""), vec!["a", "b"]);
        assert!(keys("nothing").is_empty());
    }
}
