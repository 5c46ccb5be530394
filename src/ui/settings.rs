//! What the window remembers between runs: last dossier, recent dossiers, window size,
//! workshop mode. Only UI settings; the dossier holds everything else.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Settings {
    pub last_dossier: Option<PathBuf>,
    #[serde(default)]
    pub recent: Vec<PathBuf>,
    pub window_size: Option<[f32; 2]>,
    #[serde(default)]
    pub workshop: bool,
}

fn base_dir(var: &str, fallback: &str) -> PathBuf {
    if let Some(d) = std::env::var_os("CONTINGENTS_HOME") {
        return PathBuf::from(d).join(fallback.rsplit('/').next().unwrap_or(fallback));
    }
    match std::env::var_os(var) {
        Some(d) if !d.is_empty() => PathBuf::from(d).join("contingents"),
        _ => std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir)
            .join(fallback)
            .join("contingents"),
    }
}

/// Where settings live (`$XDG_CONFIG_HOME/contingents`).
pub fn config_dir() -> PathBuf {
    base_dir("XDG_CONFIG_HOME", ".config")
}

/// Where the demo dossier lives (`$XDG_DATA_HOME/contingents`).
pub fn data_dir() -> PathBuf {
    base_dir("XDG_DATA_HOME", ".local/share")
}

impl Settings {
    pub fn load() -> Self {
        std::fs::read_to_string(config_dir().join("settings.json"))
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    }

    pub fn save(&self) {
        let dir = config_dir();
        if std::fs::create_dir_all(&dir).is_ok()
            && let Ok(s) = serde_json::to_string_pretty(self)
        {
            let tmp = dir.join("settings.json.tmp");
            if std::fs::write(&tmp, s).is_ok() {
                let _ = std::fs::rename(tmp, dir.join("settings.json"));
            }
        }
    }

    pub fn remember(&mut self, dossier: &std::path::Path) {
        self.last_dossier = Some(dossier.to_path_buf());
        self.recent.retain(|p| p != dossier);
        self.recent.insert(0, dossier.to_path_buf());
        self.recent.truncate(8);
    }
}
