//! The window's lock on a dossier: `<dossier>.verrou`, an OS file lock that ends with the
//! process (on every system), holding the process number of the window that took it. The
//! window takes it when it opens a dossier; every writer (the command line, another window)
//! looks at it first: a dossier a window holds is not written by anyone else.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock held on a dossier; released (and its file removed) when dropped.
#[derive(Debug)]
pub struct Verrou {
    chemin: PathBuf,
    fichier: File,
}

/// Someone else holds the lock: the process number written in it, when readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenu(pub Option<u32>);

impl Verrou {
    /// `<dossier>.verrou`.
    pub fn chemin(dossier: &Path) -> PathBuf {
        PathBuf::from(format!("{}.verrou", dossier.display()))
    }

    /// Takes the lock for this process. `Ok(None)`: nothing can be locked (a read-only
    /// directory: nothing will be written there either); `Err`: another process holds it.
    pub fn prendre(dossier: &Path) -> Result<Option<Verrou>, Tenu> {
        let chemin = Self::chemin(dossier);
        let Ok(mut fichier) = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&chemin)
        else {
            return Ok(None);
        };
        match fichier.try_lock() {
            Ok(()) => {
                let _ = fichier.set_len(0);
                let _ = fichier.seek(std::io::SeekFrom::Start(0));
                let _ = write!(fichier, "{}", std::process::id());
                let _ = fichier.flush();
                Ok(Some(Verrou { chemin, fichier }))
            }
            Err(_) => Err(Tenu(pid_ecrit(&mut fichier))),
        }
    }

    /// Releases the lock and removes its file.
    pub fn liberer(self) {
        drop(self);
    }
}

impl Drop for Verrou {
    fn drop(&mut self) {
        // The file goes first, while the lock is still held: nobody can lock it in between.
        let _ = std::fs::remove_file(&self.chemin);
        let _ = self.fichier.unlock();
    }
}

fn pid_ecrit(f: &mut File) -> Option<u32> {
    let mut s = String::new();
    let _ = f.seek(std::io::SeekFrom::Start(0));
    f.read_to_string(&mut s).ok()?;
    s.trim().parse::<u32>().ok()
}

/// Whether another process (a window) holds the dossier's lock. Creates nothing: no lock
/// file, nobody holds it; a lock file left by a process that ended is free. The lock of this
/// very process (the window writing through the core) does not count.
pub fn tenu_par_un_autre(dossier: &Path) -> Option<Tenu> {
    let chemin = Verrou::chemin(dossier);
    let mut f = File::open(&chemin).ok()?;
    match f.try_lock_shared() {
        Ok(()) => {
            let _ = f.unlock();
            None
        }
        Err(TryLockError::WouldBlock) => {
            let pid = pid_ecrit(&mut f);
            if pid == Some(std::process::id()) { None } else { Some(Tenu(pid)) }
        }
        Err(TryLockError::Error(_)) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_is_seen_by_others_not_by_its_holder_and_goes_with_it() {
        let dir = std::env::temp_dir().join(format!("contingents-verrou-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let d = dir.join("d.sqlite");
        assert_eq!(tenu_par_un_autre(&d), None, "no lock file: free");
        let v = Verrou::prendre(&d).unwrap().expect("a writable directory");
        assert!(Verrou::chemin(&d).exists());
        // Held by this process: the core writing for the window is not refused.
        assert_eq!(tenu_par_un_autre(&d), None);
        // A second taker (another window of the same process here) is refused with the number.
        assert_eq!(Verrou::prendre(&d).unwrap_err(), Tenu(Some(std::process::id())));
        v.liberer();
        assert!(!Verrou::chemin(&d).exists());
        assert_eq!(tenu_par_un_autre(&d), None);
        // A lock file left behind (a window that crashed) holds nothing.
        std::fs::write(Verrou::chemin(&d), "999999").unwrap();
        assert_eq!(tenu_par_un_autre(&d), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
