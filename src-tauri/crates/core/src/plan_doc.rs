//! An event's plan as a Markdown document a client can read and review offline, and read
//! back exactly: texts sit in fenced blocks whose fence no line of the text can close, so
//! every character (blank lines, spaces at either end, Markdown of its own) survives.
//!
//! ```markdown
//! # DevConf 2026
//!
//! - Dates: 2026-12-01 to 2026-12-03
//! - Time zone: Europe/Berlin
//! - Hashtags: #devconf
//! - Hold rule: as in Settings
//!
//! ## Topics
//!
//! - [x] Keynote
//!
//! ## Schedule
//!
//! ### 2026-12-01 09:00 +01:00
//!
//! - Topic: Keynote
//!
//! #### @alice@mastodon.example · approved
//!
//! ~~~
//! The keynote starts now!
//! ~~~
//! ```

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::Timestamp;
use crate::event::{EventDetails, EventHoldRule};
use crate::plan::PlanStatus;

/// An event's plan with accounts named by handle and topics by title, as a document holds
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPlan {
    pub details: EventDetails,
    pub topics: Vec<TopicLine>,
    pub plans: Vec<PlanEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicLine {
    pub title: String,
    pub covered: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEntry {
    pub publish_at: Timestamp,
    pub topic: Option<String>,
    pub content_warning: Option<String>,
    pub language: Option<String>,
    pub targets: Vec<TargetEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetEntry {
    /// The account's handle as Earshot shows it.
    pub account: String,
    pub status: PlanStatus,
    pub parts: Vec<String>,
}

impl EventPlan {
    /// The plan as the composer would take it, for an import: warnings and languages tidied
    /// by the composer's rules, blank parts dropped (the text of the others is kept exactly),
    /// and a target with no words at all refused (it would go out as nothing). Statuses are not trusted: an import arrives
    /// as drafts, to be approved like any other plan.
    pub fn as_drafts(mut self) -> Result<Self, crate::PlanError> {
        for entry in &mut self.plans {
            entry.content_warning = crate::tidy_warning(entry.content_warning.take());
            entry.language = crate::tidy_language(entry.language.take())?;
            for target in &mut entry.targets {
                target.status = PlanStatus::Draft;
                target.parts.retain(|part| !part.trim().is_empty());
                if target.parts.is_empty() {
                    return Err(crate::PlanError::EmptyTarget {
                        account: target.account.clone(),
                    });
                }
            }
        }
        Ok(self)
    }
}

/// Why a document cannot be read, with the line to look at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Line {line}: {problem}")]
pub struct DocError {
    pub line: usize,
    pub problem: String,
}

const TIME: &str = "%Y-%m-%d %H:%M %:z";
const TIME_WITH_SECONDS: &str = "%Y-%m-%d %H:%M:%S%.f %:z";

impl EventPlan {
    /// Writes the plan as Markdown. Times are written in the event's time zone, with their
    /// offset so that they read back exactly.
    pub fn to_markdown(&self) -> String {
        let details = &self.details;
        let zone = TimeZone::get(&details.time_zone).unwrap_or(TimeZone::UTC);
        let mut doc = format!("# {}\n\n", details.name);
        doc += &format!("- Dates: {} to {}\n", details.starts_on, details.ends_on);
        doc += &format!("- Time zone: {}\n", details.time_zone);
        let tags: Vec<String> = details.hashtags.iter().map(|t| format!("#{t}")).collect();
        doc += &match tags.is_empty() {
            true => "- Hashtags:\n".to_owned(),
            false => format!("- Hashtags: {}\n", tags.join(" ")),
        };
        doc += &format!("- Hold rule: {}\n", hold_rule_words(details.hold_rule));
        doc += "\n## Topics\n\n";
        for topic in &self.topics {
            let mark = if topic.covered { 'x' } else { ' ' };
            doc += &format!("- [{mark}] {}\n", topic.title);
        }
        doc += "\n## Schedule\n";
        for plan in &self.plans {
            let at = plan.publish_at.to_zoned(zone.clone());
            let format = if at.second() == 0 && at.subsec_nanosecond() == 0 {
                TIME
            } else {
                TIME_WITH_SECONDS
            };
            doc += &format!("\n### {}\n\n", at.strftime(format));
            let mut fields = String::new();
            if let Some(topic) = &plan.topic {
                fields += &format!("- Topic: {topic}\n");
            }
            if let Some(warning) = &plan.content_warning {
                fields += &format!("- Content warning: {warning}\n");
            }
            if let Some(language) = &plan.language {
                fields += &format!("- Language: {language}\n");
            }
            if !fields.is_empty() {
                doc += &fields;
                doc += "\n";
            }
            for (index, target) in plan.targets.iter().enumerate() {
                if index > 0 {
                    doc += "\n";
                }
                doc += &format!("#### {} · {}\n", target.account, target.status.as_str());
                for part in &target.parts {
                    let fence = fence_for(part);
                    doc += &format!("\n{fence}\n{part}\n{fence}\n");
                }
            }
        }
        doc
    }

    /// Reads a document written by [`EventPlan::to_markdown`] (or edited by hand in its
    /// shape).
    pub fn from_markdown(doc: &str) -> Result<Self, DocError> {
        Reader::new(doc).event_plan()
    }
}

fn hold_rule_words(rule: EventHoldRule) -> String {
    match rule {
        EventHoldRule::AsSettings => "as in Settings".into(),
        EventHoldRule::After { minutes } => format!("after {minutes} minutes"),
        EventHoldRule::Off => "off".into(),
    }
}

fn parse_hold_rule(words: &str) -> Option<EventHoldRule> {
    match words {
        "as in Settings" => Some(EventHoldRule::AsSettings),
        "off" => Some(EventHoldRule::Off),
        _ => words
            .strip_prefix("after ")?
            .strip_suffix(" minutes")?
            .parse()
            .ok()
            .map(|minutes| EventHoldRule::After { minutes }),
    }
}

/// A run of tildes longer than any run that starts a line of `text`, so no line of it can
/// close the block.
fn fence_for(text: &str) -> String {
    let longest = text
        .split('\n')
        .map(|line| line.chars().take_while(|c| *c == '~').count())
        .max()
        .unwrap_or(0);
    "~".repeat((longest + 1).max(3))
}

struct Reader<'a> {
    lines: Vec<&'a str>,
    next: usize,
}

impl<'a> Reader<'a> {
    fn new(doc: &'a str) -> Self {
        // A document that went through a Windows editor comes back with CRLF line ends. Only
        // then is a line's last '\r' the editor's: in an LF document it belongs to the text.
        let crlf = doc.contains("\r\n") && doc.matches("\r\n").count() == doc.matches('\n').count();
        let lines = doc
            .split('\n')
            .map(|line| match crlf {
                true => line.strip_suffix('\r').unwrap_or(line),
                false => line,
            })
            .collect();
        Self { lines, next: 0 }
    }

    fn error(&self, problem: impl Into<String>) -> DocError {
        DocError {
            line: self.next.min(self.lines.len().saturating_sub(1)) + 1,
            problem: problem.into(),
        }
    }

    /// The next line that is not blank, without taking it.
    fn peek(&mut self) -> Option<&'a str> {
        while self
            .lines
            .get(self.next)
            .is_some_and(|l| l.trim().is_empty())
        {
            self.next += 1;
        }
        self.lines.get(self.next).copied()
    }

    fn take(&mut self) -> Option<&'a str> {
        let line = self.peek()?;
        self.next += 1;
        Some(line)
    }

    fn expect_prefixed(&mut self, prefix: &str) -> Result<&'a str, DocError> {
        match self.take() {
            Some(line) => line.strip_prefix(prefix).ok_or_else(|| {
                self.next -= 1;
                self.error(format!("expected a line starting with \"{prefix}\""))
            }),
            None => Err(self.error(format!("the document ends before \"{prefix}\""))),
        }
    }

    fn event_plan(mut self) -> Result<EventPlan, DocError> {
        let name = self.expect_prefixed("# ")?.to_owned();
        let dates = self.expect_prefixed("- Dates: ")?;
        let (starts_on, ends_on) = dates
            .split_once(" to ")
            .and_then(|(a, b)| Some((a.parse::<Date>().ok()?, b.parse::<Date>().ok()?)))
            .ok_or_else(|| self.error("dates read like 2026-12-01 to 2026-12-03"))?;
        let time_zone = self.expect_prefixed("- Time zone: ")?.to_owned();
        if TimeZone::get(&time_zone).is_err() {
            return Err(self.error(format!("\"{time_zone}\" is not a known time zone")));
        }
        let hashtags = self
            .expect_prefixed("- Hashtags:")?
            .split_whitespace()
            .map(|tag| tag.trim_start_matches('#').to_owned())
            .collect();
        let rule = self.expect_prefixed("- Hold rule: ")?;
        let hold_rule = parse_hold_rule(rule).ok_or_else(|| {
            self.error("the hold rule reads \"as in Settings\", \"after 90 minutes\" or \"off\"")
        })?;
        let details = EventDetails {
            name,
            starts_on,
            ends_on,
            time_zone,
            hashtags,
            hold_rule,
        };

        self.expect_prefixed("## Topics")?;
        let mut topics = Vec::new();
        while let Some(line) = self.peek().filter(|l| l.starts_with("- [")) {
            let (covered, title) = if let Some(title) = line.strip_prefix("- [x] ") {
                (true, title)
            } else if let Some(title) = line.strip_prefix("- [ ] ") {
                (false, title)
            } else {
                return Err(self.error("a topic reads \"- [x] Title\" or \"- [ ] Title\""));
            };
            topics.push(TopicLine {
                title: title.to_owned(),
                covered,
            });
            self.next += 1;
        }

        self.expect_prefixed("## Schedule")?;
        let mut plans = Vec::new();
        while self.peek().is_some() {
            plans.push(self.plan_entry(&topics)?);
        }
        Ok(EventPlan {
            details,
            topics,
            plans,
        })
    }

    fn plan_entry(&mut self, topics: &[TopicLine]) -> Result<PlanEntry, DocError> {
        let when = self.expect_prefixed("### ")?;
        let publish_at = [TIME, TIME_WITH_SECONDS]
            .iter()
            .find_map(|format| {
                jiff::fmt::strtime::parse(format, when)
                    .and_then(|time| time.to_timestamp())
                    .ok()
            })
            .ok_or_else(|| self.error("a time reads like 2026-12-01 09:00 +01:00"))?;
        let mut entry = PlanEntry {
            publish_at,
            topic: None,
            content_warning: None,
            language: None,
            targets: Vec::new(),
        };
        while let Some(line) = self.peek().filter(|l| l.starts_with("- ")) {
            if let Some(topic) = line.strip_prefix("- Topic: ") {
                if !topics.iter().any(|t| t.title == topic) {
                    return Err(self.error(format!("\"{topic}\" is not among the topics")));
                }
                entry.topic = Some(topic.to_owned());
            } else if let Some(warning) = line.strip_prefix("- Content warning: ") {
                entry.content_warning = Some(warning.to_owned());
            } else if let Some(language) = line.strip_prefix("- Language: ") {
                entry.language = Some(language.to_owned());
            } else {
                return Err(self.error("expected Topic, Content warning or Language"));
            }
            self.next += 1;
        }
        while self.peek().is_some_and(|l| l.starts_with("#### ")) {
            entry.targets.push(self.target_entry()?);
        }
        if entry.targets.is_empty() {
            return Err(
                self.error("a planned post names at least one account (\"#### @me · draft\")")
            );
        }
        Ok(entry)
    }

    fn target_entry(&mut self) -> Result<TargetEntry, DocError> {
        let heading = self.expect_prefixed("#### ")?;
        let (account, status) = heading
            .rsplit_once(" · ")
            .and_then(|(account, status)| Some((account, PlanStatus::parse(status)?)))
            .ok_or_else(|| self.error("an account reads \"#### @me@example.org · draft\""))?;
        let mut parts = Vec::new();
        while let Some(fence) = self.peek().filter(|l| l.starts_with("~~~")) {
            if !fence.chars().all(|c| c == '~') {
                return Err(self.error("a fence is a line of tildes only"));
            }
            self.next += 1;
            let start = self.next;
            let end = (start..self.lines.len())
                .find(|&at| self.lines[at] == fence)
                .ok_or_else(|| self.error("this block is never closed"))?;
            parts.push(self.lines[start..end].join("\n"));
            self.next = end + 1;
        }
        Ok(TargetEntry {
            account: account.to_owned(),
            status,
            parts,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_import_arrives_as_drafts_and_a_post_without_words_is_refused() {
        let entry = |parts: Vec<&str>, language: Option<&str>| PlanEntry {
            publish_at: "2026-12-01T09:00:00Z".parse().expect("time"),
            topic: None,
            content_warning: Some("  spoilers\n ahead ".into()),
            language: language.map(str::to_owned),
            targets: vec![TargetEntry {
                account: "@alice@example.org".into(),
                status: PlanStatus::Published,
                parts: parts.into_iter().map(str::to_owned).collect(),
            }],
        };
        let plan = |entry: PlanEntry| EventPlan {
            details: crate::EventDetails {
                name: "DevConf".into(),
                starts_on: "2026-12-01".parse().expect("date"),
                ends_on: "2026-12-02".parse().expect("date"),
                time_zone: "UTC".into(),
                hashtags: Vec::new(),
                hold_rule: crate::EventHoldRule::AsSettings,
            },
            topics: Vec::new(),
            plans: vec![entry],
        };
        let drafts = plan(entry(vec![" Doors open ", "  "], Some("EN")))
            .as_drafts()
            .expect("a fine plan");
        let target = &drafts.plans[0].targets[0];
        assert_eq!(
            target.status,
            PlanStatus::Draft,
            "a document cannot approve itself"
        );
        assert_eq!(target.parts, [" Doors open "], "the words kept exactly");
        assert_eq!(drafts.plans[0].language.as_deref(), Some("en"));
        assert_eq!(
            drafts.plans[0].content_warning.as_deref(),
            Some("spoilers ahead")
        );
        assert_eq!(
            plan(entry(vec![" ", ""], None)).as_drafts(),
            Err(crate::PlanError::EmptyTarget {
                account: "@alice@example.org".into()
            }),
            "a post with no words would go out as nothing"
        );
        assert!(
            plan(entry(vec!["hi"], Some("english")))
                .as_drafts()
                .is_err()
        );
    }

    use super::*;

    fn plan() -> EventPlan {
        let at = |text: &str| text.parse::<Timestamp>().expect("time");
        EventPlan {
            details: EventDetails {
                name: "DevConf 2026".into(),
                starts_on: jiff::civil::date(2026, 12, 1),
                ends_on: jiff::civil::date(2026, 12, 3),
                time_zone: "Europe/Berlin".into(),
                hashtags: vec!["devconf".into(), "dc26".into()],
                hold_rule: EventHoldRule::After { minutes: 90 },
            },
            topics: vec![
                TopicLine {
                    title: "Keynote".into(),
                    covered: true,
                },
                TopicLine {
                    title: "Booth [tour] · day 2".into(),
                    covered: false,
                },
            ],
            plans: vec![
                PlanEntry {
                    publish_at: at("2026-12-01T08:00:00Z"),
                    topic: Some("Keynote".into()),
                    content_warning: Some("loud music".into()),
                    language: Some("en".into()),
                    targets: vec![
                        TargetEntry {
                            account: "@alice@mastodon.example".into(),
                            status: PlanStatus::Approved,
                            parts: vec![
                                "The keynote starts now!\n\n~~~\nnot a fence\n~~~~".into(),
                                "  spaces at both ends  ".into(),
                                "\n".into(),
                            ],
                        },
                        TargetEntry {
                            account: "@alice.bsky.social".into(),
                            status: PlanStatus::Draft,
                            parts: vec![
                                "# not a heading\n- [x] nor a topic\n### nor a time\r".into(),
                            ],
                        },
                    ],
                },
                PlanEntry {
                    publish_at: at("2026-12-02T09:30:15.5Z"),
                    topic: None,
                    content_warning: None,
                    language: None,
                    targets: vec![TargetEntry {
                        account: "@alice@mastodon.example".into(),
                        status: PlanStatus::Published,
                        parts: vec!["Émoji 👩‍💻 and مرحبا".into(), String::new()],
                    }],
                },
            ],
        }
    }

    #[test]
    fn a_plan_reads_back_exactly() {
        let plan = plan();
        let doc = plan.to_markdown();
        assert!(doc.contains("### 2026-12-01 09:00 +01:00"), "{doc}");
        assert!(
            doc.contains("\n~~~~~\nThe keynote"),
            "the fence outgrows the text's"
        );
        assert_eq!(EventPlan::from_markdown(&doc), Ok(plan.clone()));
        let windows = doc.replace('\n', "\r\n");
        assert_eq!(EventPlan::from_markdown(&windows), Ok(plan));
    }

    #[test]
    fn mistakes_name_their_line() {
        let doc = plan()
            .to_markdown()
            .replace("- Topic: Keynote", "- Topic: Lunch");
        let error = EventPlan::from_markdown(&doc).expect_err("unknown topic");
        assert_eq!(error.problem, "\"Lunch\" is not among the topics");
        assert_eq!(
            doc.lines().nth(error.line - 1).map(str::trim),
            Some("- Topic: Lunch"),
            "{error}"
        );
        let unclosed = "# E\n- Dates: 2026-12-01 to 2026-12-01\n- Time zone: UTC\n- Hashtags:\n\
                        - Hold rule: off\n## Topics\n## Schedule\n### 2026-12-01 09:00 +00:00\n\
                        #### @me · draft\n~~~\ntext";
        assert_eq!(
            EventPlan::from_markdown(unclosed)
                .expect_err("unclosed")
                .problem,
            "this block is never closed"
        );
        assert!(EventPlan::from_markdown("").is_err());
    }
}
