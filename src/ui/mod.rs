//! The window (placeholder until the GUI issue lands).

use std::path::PathBuf;

pub fn run(_dossier: Option<PathBuf>) -> anyhow::Result<()> {
    anyhow::bail!("fenêtre pas encore disponible")
}
