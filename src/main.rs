//! Parses the arguments: no subcommand opens the window, anything else runs the command line.

mod cli;
mod ui;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        // A writer's panic on a full disk, turned into a message by the core.
        if contingents::fichier::panique_a_taire(&msg) {
            return;
        }
        eprintln!("contingents : erreur interne ({msg}) ; merci de la signaler avec le fichier concerné");
    }));
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 1,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match std::panic::catch_unwind(|| cli::run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        // A reader that stopped reading (`| head`): what was to be done is done.
        Ok(Err(e)) if lecteur_parti(&e) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            // Exit 2 only for a defect of the program: the user's errors, and what the disk,
            // the dossier or another program did, are 1.
            let is_user = e.downcast_ref::<cli::UserError>().is_some()
                || e.downcast_ref::<contingents::store::StoreError>().is_some_and(|s| !s.est_un_defaut())
                || erreur_du_systeme(&e);
            eprintln!("contingents : {e}");
            ExitCode::from(if is_user { 1 } else { 2 })
        }
        Err(_) => ExitCode::from(2),
    }
}

/// Whether an error is only that the reader of standard output stopped reading.
fn lecteur_parti(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == BrokenPipe)
            || c.downcast_ref::<serde_json::Error>().is_some_and(|j| j.io_error_kind() == Some(BrokenPipe))
            || c.downcast_ref::<csv::Error>()
                .is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe))
    })
}

/// Whether an error is the system's (a full disk under a redirected output...), not the program's.
fn erreur_du_systeme(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.is::<std::io::Error>()
            || c.downcast_ref::<serde_json::Error>().is_some_and(|j| j.is_io())
            || c.downcast_ref::<csv::Error>().is_some_and(|c| c.is_io_error())
    })
}
