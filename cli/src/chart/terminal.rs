//! The terminal of the live chart: raw mode on the alternate screen, restored on every
//! way out (return, error, Ctrl-C, SIGTERM, panic).

use std::io::{self, Stdout};
use std::sync::Once;

use crossterm::cursor::{Hide, Show};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::cli_error::CliError;

/// The terminal in chart mode; dropping it gives the terminal back as it was.
pub struct Session {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Session {
    /// Enters raw mode and the alternate screen. A panic from now on restores the
    /// terminal before its message is printed.
    pub fn start() -> Result<Session, CliError> {
        install_panic_hook();
        let failed = |e: io::Error| CliError::msg(format!("cannot set up the terminal: {e}"));
        enable_raw_mode().map_err(failed)?;
        // From here on, a failure must restore what was already changed.
        let mut stdout = io::stdout();
        if let Err(e) = execute!(stdout, EnterAlternateScreen, Hide) {
            restore();
            return Err(failed(e));
        }
        match Terminal::new(CrosstermBackend::new(stdout)) {
            Ok(terminal) => Ok(Session { terminal }),
            Err(e) => {
                restore();
                Err(failed(e))
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves the alternate screen, shows the cursor and ends raw mode (each step is tried
/// even if another failed: there is nothing better to do with a failure here).
pub fn restore() {
    let _ = execute!(io::stdout(), LeaveAlternateScreen, Show);
    let _ = disable_raw_mode();
}

/// Chains a terminal restore in front of the panic hook in place (once per process).
fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}
