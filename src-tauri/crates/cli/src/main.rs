//! `earshot-cli`: Earshot's rules without the app, for scripts and for measuring them.
//!
//! ```text
//! earshot-cli classify < posts.jsonl    # {"text": "..."} in, one verdict per line out
//! ```

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use earshot_core::detect_question_in;
use serde::Deserialize;

const USAGE: &str = "\
Usage: earshot-cli <command>

Commands:
  classify   Reads JSON lines {\"text\": \"...\"} on stdin (with \"lang\": \"en\" when the author
             declared a language) and writes one JSON line per input,
             in order: {\"question\": bool, \"score\": number, \"kind\": string, \"reason\": string,
             \"asks\": string|null}. A line that cannot be read gets {\"error\": \"...\"} and the
             exit status is 1 once all lines are done.";

#[derive(Deserialize)]
struct Post {
    text: String,
    /// The language the author declared, if any.
    #[serde(default)]
    lang: Option<String>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["classify"] => match classify(io::stdin().lock(), io::stdout().lock()) {
            Ok(0) => ExitCode::SUCCESS,
            Ok(_unreadable) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("earshot-cli: {e}");
                ExitCode::FAILURE
            }
        },
        ["help" | "--help" | "-h"] => {
            #[expect(clippy::print_stdout, reason = "a command-line tool prints its usage")]
            {
                println!("{USAGE}");
            }
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Classifies every line of `input`; returns how many lines could not be read.
fn classify(input: impl BufRead, output: impl Write) -> io::Result<usize> {
    let mut output = BufWriter::new(output);
    let mut unreadable = 0;
    for (index, line) in input.lines().enumerate() {
        let line = line?;
        // Written straight from the verdict, so a score reads as the f32 it is (0.95, not
        // 0.949999988079071).
        match serde_json::from_str::<Post>(&line) {
            Ok(post) => serde_json::to_writer(
                &mut output,
                &detect_question_in(&post.text, post.lang.as_deref()),
            )?,
            Err(e) => {
                unreadable += 1;
                let error = format!("line {} is not {{\"text\": \"...\"}}: {e}", index + 1);
                serde_json::to_writer(&mut output, &serde_json::json!({ "error": error }))?;
            }
        }
        output.write_all(b"\n")?;
    }
    output.flush()?;
    Ok(unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_verdict_per_line_in_order_and_errors_in_place() {
        let input = "{\"text\": \"is the game on tonight?\"}\nnot json\n{\"text\": \"we won\"}\n";
        let mut output = Vec::new();
        let unreadable = classify(input.as_bytes(), &mut output).expect("classify");
        let output = String::from_utf8(output).expect("utf-8");
        assert!(
            output.starts_with("{\"question\":true,\"score\":0.95,\"kind\":\"yes_no\""),
            "{output}"
        );
        let lines: Vec<serde_json::Value> = output
            .lines()
            .map(|line| serde_json::from_str(line).expect("JSON out"))
            .collect();
        assert_eq!(unreadable, 1);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["question"], true);
        assert_eq!(lines[0]["kind"], "yes_no");
        assert!(lines[0]["score"].as_f64().is_some());
        assert!(
            lines[1]["error"]
                .as_str()
                .expect("error")
                .contains("line 2")
        );
        assert_eq!(lines[2]["question"], false);
        assert_eq!(lines[2]["kind"], "statement");
    }
}
