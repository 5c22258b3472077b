//! A DragoonPlot device's client: the stream of DATA values and LABEL names, help-table
//! discovery, and commands sent as `<command>\r\n` (`docs/protocols/plot.md`, "Host
//! conversation"). Device text that answers nothing is kept for [`Client::next_item`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use serial_dialects::client::{Options, plot::{Client, Item}};
//! use serial_dialects::device::serve;
//! use serial_dialects::plot::device::{Model, Settings};
//!
//! let (host, device) = tokio::io::duplex(1 << 16);
//! tokio::spawn(serve(Model::new(Settings::default()), device));
//!
//! let mut client = Client::new(host, Options::default());
//! let table = client.discover().await?;
//! let buttons: Vec<_> = table.buttons().map(|c| c.cmd.as_str()).collect();
//! assert_eq!(buttons, ["start", "stop", "status", "dfu", "help"]);
//! assert_eq!(table.by_category()[0].0, "State");
//! assert_eq!(client.send("stop").await?, ["OK stopped"]);
//!
//! assert_eq!(client.send("start").await?, ["OK started"]);
//! loop {
//!     if let Item::Labels(names) = client.next_item().await? {
//!         assert_eq!(names, [(0, "ch0".to_string()), (1, "ch1".into()), (2, "ch2".into())]);
//!         break;
//!     }
//! }
//! # Ok(())
//! # }
//! ```

use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use tokio::io::{AsyncRead, AsyncWrite};

use super::link::{Core, Link};
use super::{Error, LinkStats, Options};
use crate::error::EncodeError;
use crate::plot::conversation::{ANSWER_QUIET_MS, Discovery, HELP_REQUEST, answer_line};
use crate::plot::help::END_PREFIX;
use crate::plot::{CommandList, Config, Message, Plot, TableEnd, category_display_name};
use crate::session::{Poll, RetryPolicy, Silence, Verdict};

/// What a plot device answers instead of doing what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// The answer's first line starts with `ERR` (the documents name the commands but not
    /// their answers; `ERR …` is the refusal of the devices this crate models).
    #[error("the device answered {0:?}")]
    Refused(String),
}

/// The result of a client call.
pub type Result<T> = core::result::Result<T, Error<DeviceError>>;

/// One row of a help table, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The command, as sent.
    pub cmd: String,
    /// Its arguments; `-` means none.
    pub args: String,
    /// Its category as sent (`state`, `diag`, `param`, `sys`, …).
    pub cat: String,
    /// Free text.
    pub description: String,
}

impl Command {
    /// Whether the command gets a button: `args` is exactly `-`.
    pub fn has_button(&self) -> bool {
        self.args == "-"
    }
}

/// A discovered help table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Commands {
    /// The rows, in table order.
    pub rows: Vec<Command>,
    /// Rows beyond the table's storage.
    pub dropped: u16,
    /// Whether the table ended by 2 s of silence rather than at its end marker.
    pub ended_by_silence: bool,
}

impl Commands {
    fn of(list: &CommandList, ended_by_silence: bool) -> Commands {
        let rows = list
            .iter()
            .map(|c| Command {
                cmd: c.cmd.to_string(),
                args: c.args.to_string(),
                cat: c.cat.to_string(),
                description: c.description.to_string(),
            })
            .collect();
        Commands { rows, dropped: list.dropped(), ended_by_silence }
    }

    /// The commands that get a button.
    pub fn buttons(&self) -> impl Iterator<Item = &Command> {
        self.rows.iter().filter(|c| c.has_button())
    }

    /// The commands by category, categories in order of first appearance, each with its
    /// display name (`State`, `Diagnostics`, `Parameters`, `System`, or as sent).
    pub fn by_category(&self) -> Vec<(&str, Vec<&Command>)> {
        let mut groups: Vec<(&str, Vec<&Command>)> = Vec::new();
        for row in &self.rows {
            let name = category_display_name(&row.cat);
            match groups.iter_mut().find(|(n, _)| *n == name) {
                Some((_, commands)) => commands.push(row),
                None => groups.push((name, vec![row])),
            }
        }
        groups
    }
}

/// What the device sends on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A DATA frame's values, one per channel.
    Data(Vec<i16>),
    /// A LABEL frame's names: `(channel index, name)` in wire order.
    Labels(Vec<(u8, String)>),
    /// A line of text, without its line ending.
    Text(String),
}

enum Answer {
    Table(Commands),
    Silence,
}

/// Discovery, and the table's closing separator: a table that ends at its `help`/`sys` row
/// is followed by a `---------+` line, which is the table's, not the next command's answer.
struct Discover {
    core: Discovery,
    table: Option<Commands>,
    tail_until_ms: u64,
}

impl Core<Plot> for Discover {
    type Reply = Answer;

    fn on_message(&mut self, message: &Message<'_>, now_ms: u64) -> Verdict<Answer> {
        if self.table.is_some() {
            let closing = answer_line(message).is_some_and(|line| line.trim_ascii().starts_with(END_PREFIX.as_bytes()));
            return match (closing, self.table.take()) {
                (true, Some(table)) => Verdict::Reply(Answer::Table(table)),
                (_, table) => {
                    self.table = table;
                    Verdict::Unrelated
                }
            };
        }
        match self.core.on_message(message, now_ms) {
            Verdict::Reply(list) if list.ended_by() == TableEnd::HelpRow => {
                self.table = Some(Commands::of(list, false));
                self.tail_until_ms = now_ms.saturating_add(ANSWER_QUIET_MS);
                Verdict::Part(Answer::Silence)
            }
            Verdict::Reply(list) => Verdict::Reply(Answer::Table(Commands::of(list, false))),
            Verdict::Part(_) => Verdict::Part(Answer::Silence),
            _ => Verdict::Unrelated,
        }
    }

    fn poll(&mut self, now_ms: u64) -> Poll {
        match self.table {
            Some(_) => Poll::Wait { until_ms: self.tail_until_ms },
            None => self.core.poll(now_ms),
        }
    }

    fn expire(&mut self, now_ms: u64) -> Option<Answer> {
        if self.table.is_some() && now_ms >= self.tail_until_ms {
            return self.table.take().map(Answer::Table);
        }
        self.core.expire(now_ms).then_some(Answer::Silence)
    }
}

struct Lines {
    answer: Silence,
    lines: Vec<String>,
}

impl Core<Plot> for Lines {
    type Reply = ();

    fn on_message(&mut self, message: &Message<'_>, now_ms: u64) -> Verdict<()> {
        let Some(line) = answer_line(message) else { return Verdict::Unrelated };
        self.answer.heard(now_ms);
        self.lines.push(String::from_utf8_lossy(line).into_owned());
        Verdict::Part(())
    }

    fn poll(&mut self, now_ms: u64) -> Poll {
        self.answer.poll(now_ms)
    }

    fn expire(&mut self, now_ms: u64) -> Option<()> {
        self.answer.is_over(now_ms).then_some(())
    }
}

/// A client of one plot device over `T`.
pub struct Client<T> {
    link: Link<Plot, T>,
    policy: RetryPolicy,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Client<T> {
    /// A client over `io` with the documented decoder (32 channels, marker `GMU Commands`).
    pub fn new(io: T, options: Options) -> Self {
        Self::with_config(io, Config::documented(), options)
    }

    /// A client over `io` with the decoder `config` (`plot:64`, another help marker).
    pub fn with_config(io: T, config: Config, options: Options) -> Self {
        Client { link: Link::new(io, Plot::new(config), options.stream_capacity), policy: options.policy() }
    }

    /// What the link has seen (requests, retries, rejected bytes).
    pub fn stats(&self) -> LinkStats {
        self.link.stats()
    }

    /// The transport back.
    pub fn into_inner(self) -> T {
        self.link.into_inner()
    }

    /// Sends `help\r\n` and reads the table: up to its end marker, or until no line has come
    /// for 2 s once it has begun. Sent again after each timeout until the table begins.
    pub async fn discover(&mut self) -> Result<Commands> {
        let marker = self.link.dialect().config().help_marker;
        let discovery = Discovery::start(self.policy, marker, self.link.now_ms());
        let mut core = Discover { core: discovery, table: None, tail_until_ms: 0 };
        match self.link.exchange(&mut core, HELP_REQUEST).await? {
            Answer::Table(table) => Ok(table),
            Answer::Silence => {
                let list = self.link.dialect().help_timeout().unwrap_or_default();
                Ok(Commands::of(&list, true))
            }
        }
    }

    /// Sends `<command>\r\n`, as a button click does, and returns the answer's lines. The
    /// answer must begin within the timeout; it is over after a short silence. Never sent
    /// twice.
    pub async fn send(&mut self, command: &str) -> Result<Vec<String>> {
        if command.is_empty() || command.contains(['\r', '\n']) {
            return Err(Error::Encode(EncodeError::OutOfRange { field: "command" }));
        }
        let mut bytes = command.as_bytes().to_vec();
        bytes.extend_from_slice(b"\r\n");
        let answer = Silence::new(self.policy.timeout_ms, ANSWER_QUIET_MS, self.link.now_ms());
        let mut core = Lines { answer, lines: Vec::new() };
        self.link.exchange(&mut core, &bytes).await?;
        match core.lines.first() {
            Some(first) if first.starts_with("ERR") => Err(Error::Device(DeviceError::Refused(first.clone()))),
            _ => Ok(core.lines),
        }
    }

    /// The next DATA values, LABEL names or text line, in the order they came (those received
    /// during other calls first). Pieces of text that do not end a line are skipped.
    pub async fn next_item(&mut self) -> Result<Item> {
        loop {
            let frame = match self.link.take_kept() {
                Some(frame) => frame,
                None => self.link.read(None).await?.ok_or(Error::Closed)?,
            };
            let item = match frame.message() {
                Message::Data(data) => Item::Data(data.values().collect()),
                Message::Label(labels) => {
                    Item::Labels(labels.entries().map(|e| (e.index, e.name().to_string())).collect())
                }
                message => match answer_line(&message) {
                    Some(line) => Item::Text(String::from_utf8_lossy(line).into_owned()),
                    None => continue,
                },
            };
            return Ok(item);
        }
    }
}
