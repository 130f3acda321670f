//! Terminal output helpers: aligned plain-text tables and JSON printing.
//!
//! Tables are plain text (no colours, no box drawing) so they read well when piped into `less`,
//! `grep` or a file; `--json` is the machine-readable form of every command.

use serde::Serialize;

/// A plain-text table with a header row; numeric-looking columns are right-aligned.
pub(crate) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles.
    pub(crate) fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| (*h).to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells print as empty).
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Renders the table with two spaces between columns.
    pub(crate) fn render(&self) -> String {
        let ncols = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        let mut numeric = vec![true; ncols];
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(ncols) {
                widths[i] = widths[i].max(cell.chars().count());
                if !cell.is_empty() && !looks_numeric(cell) {
                    numeric[i] = false;
                }
            }
        }
        let mut out = String::new();
        let mut line = |cells: &[String]| {
            let mut parts = Vec::with_capacity(ncols);
            for i in 0..ncols {
                let cell = cells.get(i).map_or("", String::as_str);
                let pad = widths[i].saturating_sub(cell.chars().count());
                if numeric[i] {
                    parts.push(format!("{}{cell}", " ".repeat(pad)));
                } else {
                    parts.push(format!("{cell}{}", " ".repeat(pad)));
                }
            }
            out.push_str(parts.join("  ").trim_end());
            out.push('\n');
        };
        line(&self.header);
        for row in &self.rows {
            line(row);
        }
        out
    }
}

/// Whether a cell holds a number, a duration or a pace (right-aligned).
fn looks_numeric(cell: &str) -> bool {
    cell == "-"
        || cell
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ':' | '-' | '+' | '/' | 'k' | 'm'))
}

/// An error for a value typed wrongly: exits 2 and answers `invalid_input`, like the use
/// cases' own refusals (use through `usage!` / `bail_usage!`).
pub(crate) fn usage_error(message: String) -> anyhow::Error {
    anyhow::Error::new(fettle_app::AppError::Invalid(message))
}

/// What kind of failure an error is: the exit status and the `--json` code.
///
/// - 2, `invalid_input`: what was typed is refused (a bad value, a missing or conflicting
///   option, a file to import that does not exist) — the same class as clap's usage errors;
/// - 1, `not_found`: the thing asked for does not exist;
/// - 1, `database`: the database could not be opened, read or written;
/// - 1, `failed`: anything else that went wrong while running (a file that cannot be read or
///   written, the server stopping).
fn classify(error: &anyhow::Error) -> (u8, &'static str) {
    use fettle_app::AppError;
    for cause in error.chain() {
        if let Some(app) = cause.downcast_ref::<AppError>() {
            return match app {
                AppError::Invalid(_) | AppError::Violations(_) => (2, "invalid_input"),
                AppError::NotFound(_) => (1, "not_found"),
                AppError::Store(_) => (1, "database"),
                AppError::Internal(_) => (1, "failed"),
            };
        }
        if cause.downcast_ref::<fettle_store::StoreError>().is_some() {
            return (1, "database");
        }
    }
    (1, "failed")
}

/// The exit status of a failed command (see [`classify`]).
pub(crate) fn exit_status(error: &anyhow::Error) -> u8 {
    classify(error).0
}

/// Prints clap's refusal of the command line as the `--json` error document (code `usage`).
pub(crate) fn print_usage_error(message: &str) {
    eprintln!(
        "{}",
        serde_json::json!({ "error": { "code": "usage", "message": message } })
    );
}

/// Prints a failed command's error on stderr: `error: …` for people (each refused value on its
/// own line when there are several), or with `--json` the same document the web API answers,
/// `{"error": {"code", "message", "violations"?}}`. `code` is `invalid_input` when the
/// input was refused (then `violations` lists each refused value: field, value, limit,
/// message), `not_found` when the thing asked for does not exist, `database` when the database
/// failed, `failed` otherwise (see [`classify`]; clap's own refusals are `usage`).
pub(crate) fn print_error(error: &anyhow::Error, json: bool) {
    let app = error.downcast_ref::<fettle_app::AppError>();
    let violations = app.map_or(&[][..], fettle_app::AppError::violations);
    if json {
        let code = classify(error).1;
        let mut body = serde_json::json!({ "code": code, "message": format!("{error:#}") });
        if !violations.is_empty() {
            body["violations"] = serde_json::json!(violations);
        }
        eprintln!("{}", serde_json::json!({ "error": body }));
    } else if violations.len() > 1 {
        eprintln!("error: {} values were refused:", violations.len());
        for v in violations {
            eprintln!("  - {}", v.message);
        }
    } else {
        eprintln!("error: {error:#}");
    }
}

/// Prints a value as pretty JSON on stdout.
pub(crate) fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Formats an optional number with a fixed number of decimals, or `-`.
pub(crate) fn opt(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => "-".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_numbers_right_and_text_left() {
        let mut t = Table::new(&["id", "sport"]);
        t.row(vec!["7".into(), "running".into()]);
        t.row(vec!["42".into(), "cycling".into()]);
        assert_eq!(t.render(), "id  sport\n 7  running\n42  cycling\n");
    }
}
