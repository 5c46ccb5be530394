//! The command line: clap commands (`args`) → core calls (`run`) → printing (`sortie`,
//! `flux`). No figure is computed here.

mod args;
mod conventions;
mod flux;
mod sortie;

pub use args::*;
use flux::*;
use sortie::*;

use anyhow::{Result, anyhow};
use clap::{Parser, Subcommand, ValueEnum};
use contingents::consolidate::{self, Cube, Filtre};
use contingents::flux::{ExclusionManuelle, FluxParametres};
use contingents::import::run::{ImportError, ImportOptions, Progress, import_files};
use contingents::model::{RefLogement, Reservataire};
use contingents::store::{Dossier, StoreError};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

/// A user error (exit 1) as opposed to an internal one (exit 2).
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

/// `--logement` that is not `BAILLEUR:REFERENCE`.
fn logement_invalide(l: &str) -> anyhow::Error {
    user(format!("--logement « {l} » : attendu BAILLEUR:REFERENCE"))
}

fn user(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!(UserError(e.to_string()))
}

/// A réservataire id given on the command line, read once into the typed id. Clap keeps it as
/// text so that a wrong one is said in French, with the option that carried it.
fn reservataire_arg(option: &str, id: &str) -> Result<Reservataire> {
    id.trim().parse::<Reservataire>().map_err(|_| {
        user(format!(
            "{option} « {id} » : identifiant attendu (etat, etat-fonctionnaires, action-logement, defense, non-reserve, commune:INSEE, epci:SIREN, departement:CODE, region:CODE, autre:NOM)"
        ))
    })
}

/// The dossier's errors, with what to do on the command line: all of them the user's (a
/// file that is not a dossier, a damaged one, a busy one, a full disk...) except an SQL error
/// of the program itself.
fn store_err(e: StoreError) -> anyhow::Error {
    match e {
        e if e.est_un_defaut() => anyhow!(e),
        StoreError::Missing(ref p) => {
            user(format!("{e} : créez-le avec `contingents import --dossier {p} FICHIER...`"))
        }
        StoreError::UnknownImport(_) => user(format!("{e} (voir `contingents historique`)")),
        other => user(other),
    }
}

/// What a command prints on standard output. A reader that stopped reading (`| head`) is not
/// an error: what was to be done is done (an import committed), the rest is not printed.
macro_rules! dire {
    ($($arg:tt)*) => {{
        let mut out = std::io::stdout().lock();
        match writeln!(out, $($arg)*) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
            _ => {}
        }
    }};
}

fn import_err(e: ImportError) -> anyhow::Error {
    match e {
        ImportError::Store(s) => store_err(s),
        e @ ImportError::NoBailleur(_) => user(format!("{e} : relancez avec --bailleur NOM")),
        e @ ImportError::Perte(_) => user(format!("{e}. Relancez avec --accepter-perte si c'est voulu")),
        other => user(other),
    }
}

/// A terminal progress bar on stderr (nothing when stderr is not a terminal).
struct TerminalBar {
    tty: bool,
    last: std::cell::Cell<i32>,
}

impl TerminalBar {
    fn new() -> Self {
        Self { tty: std::io::stderr().is_terminal(), last: std::cell::Cell::new(-1) }
    }

    fn finish(&self) {
        if self.tty && self.last.get() >= 0 {
            eprintln!();
        }
    }
}

impl Progress for TerminalBar {
    fn update(&self, fraction: f32, message: &str) {
        if !self.tty {
            return;
        }
        let pct = (fraction.clamp(0.0, 1.0) * 100.0) as i32;
        if pct == self.last.get() {
            return;
        }
        self.last.set(pct);
        let filled = (pct / 4) as usize;
        let msg: String = message.chars().take(50).collect();
        eprint!("\r[{}{}] {pct:3} % {msg:<50}", "#".repeat(filled), " ".repeat(25 - filled));
        let _ = std::io::stderr().flush();
    }
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        None => crate::ui::run(None, vec![], None),
        Some(Command::Gui { dossier, importer, ecran, demo }) => {
            let dossier = if demo { Some(crate::ui::demo_dossier()?) } else { dossier };
            crate::ui::run(dossier, importer, ecran)
        }
        Some(Command::Demo { dossier }) => {
            contingents::demo::construire_dossier(&dossier)?;
            dire!("Dossier de démonstration créé : {}", dossier.display());
            Ok(())
        }
        Some(Command::Import { dossier, bailleur, territoire, date_reference, accepter_perte, fichiers }) => {
            // A dossier this import creates is removed again when the import fails: a refused
            // file leaves nothing behind, not an empty dossier without a territory.
            let nouveau = !dossier.exists();
            let mut d = Dossier::open(&dossier, true).map_err(store_err)?;
            let bar = TerminalBar::new();
            let opts = ImportOptions { bailleur, territoire, date_reference, accepter_perte };
            let res = import_files(&mut d, &fichiers, &opts, &bar, &AtomicBool::new(false));
            bar.finish();
            if res.is_err() && nouveau {
                drop(d);
                contingents::store::supprimer_dossier_neuf(&dossier);
            }
            let summaries = res.map_err(|e| match e {
                ImportError::TerritoireDifferent { ref demande, .. } => user(format!(
                    "{e} : `contingents territoire --dossier {} --changer {}`",
                    dossier.display(),
                    contingents::import::run::code_territoire(demande)
                )),
                other => import_err(other),
            })?;
            for s in summaries {
                if let Some(n) = s.identique {
                    dire!("{} : fichier identique, ignoré (import n° {n})", s.fichier);
                    continue;
                }
                let rejets: usize = s.rejets.values().sum();
                dire!(
                    "{} (import n° {}, {}) : {} lignes lues, {} logements, {} rejets, {} conflits, {} doublons, {} droits échus",
                    s.fichier,
                    s.import_id,
                    s.bailleurs.join(", "),
                    s.lignes_lues,
                    s.logements,
                    rejets,
                    s.conflits,
                    s.doublons,
                    s.echus
                );
                for r in &s.remplacements {
                    dire!("  {}", r.phrase());
                    if let Some(sortis) = r.sortis() {
                        dire!("  {sortis}");
                    }
                }
                for m in &s.feuilles_masquees {
                    dire!("  {}", m.phrase());
                }
                for (m, n) in &s.rejets {
                    dire!("  {} : {n}", m.label());
                }
                for (label, n) in &s.presomptions {
                    dire!("  « {label} » compris comme la collectivité de la ligne (à vérifier) : {n}");
                }
            }
            Ok(())
        }
        Some(Command::Territoire { dossier, changer }) => {
            use contingents::import::run::nom_territoire;
            let Some(code) = changer else {
                let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
                dire!("{}", nom_territoire(&d.territoire()));
                return Ok(());
            };
            let t = contingents::reference::Territoire::parse(&code).map_err(user)?;
            let mut d = Dossier::open(&dossier, false).map_err(store_err)?;
            let e = contingents::import::changements::changer_territoire(&mut d, &t).map_err(import_err)?;
            dire!(
                "Territoire du dossier : {} (auparavant {}) ; {} hors du territoire, mis de côté ; {} revenus",
                nom_territoire(&e.nouveau),
                nom_territoire(&e.ancien),
                contingents::format::logements(e.sortants.len() as u64),
                contingents::format::logements(e.entrants as u64)
            );
            for l in &e.sortants {
                dire!(
                    "  sort du territoire : {} {} ({})",
                    l.bailleur,
                    l.reference,
                    consolidate::nom_commune(&l.commune)
                );
            }
            Ok(())
        }
        Some(Command::Report { dossier, format }) => {
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            // Written as it is read: a national dossier's cells and rows set aside are never
            // all held.
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match format {
                ReportFormat::Json => {
                    consolidate::ecrire_rapport_json(&d, &mut out).map_err(|e| match e {
                        consolidate::EcritureRapport::Dossier(s) => anyhow::Error::from(s),
                        consolidate::EcritureRapport::Sortie(io) => anyhow::Error::from(io),
                        consolidate::EcritureRapport::Json(j) => anyhow::Error::from(j),
                    })?;
                    writeln!(out)?;
                }
                ReportFormat::Csv => write_cells_csv(&mut out, Cube::load(&d)?.cellules())?,
            }
            out.flush()?;
            Ok(())
        }
        Some(Command::Grid { dossier, reservataire, commune, epci, bailleur, format }) => {
            let reservataire = reservataire_arg("--reservataire", &reservataire)?;
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            let cube = Cube::load(&d)?;
            let f = Filtre {
                reservataire: Some(reservataire.clone()),
                commune: commune.clone(),
                epci: epci.clone(),
                bailleur: bailleur.clone(),
                ..Default::default()
            };
            let g = cube.grille(&f);
            let mut out = std::io::stdout().lock();
            match format {
                GridFormat::Json => {
                    let v = g.json(&reservataire, commune.as_deref(), epci.as_deref(), bailleur.as_deref());
                    writeln!(out, "{v}")?;
                }
                GridFormat::Csv => {
                    out.write_all("\u{feff}".as_bytes())?;
                    write_grid(&mut out, &g, ";", &reservataire)?;
                }
                GridFormat::Text => write_grid(&mut out, &g, "\t", &reservataire)?,
            }
            Ok(())
        }
        Some(Command::Flux(args)) => flux_command(*args),
        Some(Command::Chart { kind, dossier, out, reservataire, commune, bailleur, stock }) => {
            let (k, s) = (kind, stock);
            let reservataire = reservataire.map(|r| reservataire_arg("--reservataire", &r)).transpose()?;
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            let cube = Cube::load(&d)?;
            let f = Filtre { reservataire, commune, bailleur, ..Default::default() };
            let sous_titre = format!(
                "{} — {} — au {}",
                d.territoire().label(),
                s.label(),
                contingents::format::date_fr(&d.date_reference().to_string())
            );
            contingents::charts::export(&cube, k, &f, s, &sous_titre, &out).map_err(user)?;
            dire!("Graphique écrit : {}", out.display());
            Ok(())
        }
        Some(Command::Export {
            document: ExportCommand::FicheNavette { out, dossier, logement, reservataire, mise_a_disposition, preavis },
        }) => {
            let d = match &dossier {
                Some(p) => Some(Dossier::open_read_only(p).map_err(store_err)?),
                None => None,
            };
            let reservataire = reservataire.map(|r| reservataire_arg("--reservataire", &r)).transpose()?;
            let valeurs = match (&d, &logement, &reservataire) {
                (Some(d), Some(l), Some(r)) => {
                    let l: RefLogement = l.parse().map_err(|_| logement_invalide(l))?;
                    contingents::export::fiche_navette::valeurs(d, &l.bailleur, &l.reference, r).map_err(user)?
                }
                _ => Default::default(),
            };
            let mut valeurs = valeurs;
            if let Some(p) = preavis.filter(|p| *p != 1 && *p != 3) {
                return Err(user(format!("--preavis {p} : attendu 1 ou 3 (mois)")));
            }
            match mise_a_disposition {
                Some(m) => {
                    let date = contingents::model::Date::parse_iso(&m)
                        .ok_or_else(|| user(format!("--mise-a-disposition « {m} » : attendu AAAA-MM-JJ")))?;
                    valeurs.mise_a_disposition(date, preavis);
                }
                None => {
                    if let Some(p) = preavis {
                        valeurs.valeurs.insert("preavis".into(), format!("{p} mois"));
                    }
                }
            }
            contingents::export::fiche_navette::export(d.as_ref(), &valeurs, &out).map_err(user)?;
            dire!("Fiche navette écrite : {}", out.display());
            Ok(())
        }
        Some(Command::Export {
            document: ExportCommand::Annexe { dossier, reservataire, commune, epci, departement, bailleur, annee, out },
        }) => conventions::annexe(dossier, reservataire, commune, epci, departement, bailleur, annee, out),
        Some(Command::Export { document: ExportCommand::PrevisionSoustraits { dossier, bailleur, annee, out } }) => {
            conventions::prevision(dossier, bailleur, annee, out)
        }
        Some(Command::Bailleur(a)) => conventions::bailleur(a),
        Some(Command::Export { document: ExportCommand::EtatDesLieux { dossier, out } }) => {
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            let bar = TerminalBar::new();
            let r = contingents::export::etat_des_lieux::export(&d, &out, &bar);
            bar.finish();
            r.map_err(user)?;
            dire!("État des lieux consolidé écrit : {}", out.display());
            Ok(())
        }
        Some(Command::Export { document: ExportCommand::FicheAssiette { dossier, bailleur, annee, out } }) => {
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            contingents::export::fiche_assiette::export(&d, &bailleur, annee, &out).map_err(user)?;
            dire!("Fiche de l'assiette écrite : {}", out.display());
            Ok(())
        }
        Some(Command::Rapprochement { dossier, reservataire, declaration, format }) => {
            let reservataire = reservataire_arg("--reservataire", &reservataire)?;
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            let r = contingents::rapprochement::rapprocher(&d, &reservataire, &declaration).map_err(user)?;
            let mut out = std::io::stdout().lock();
            match format {
                RapprochementFormat::Json => writeln!(out, "{}", serde_json::to_string(&r)?)?,
                RapprochementFormat::Text => {
                    writeln!(out, "Rapprochement {} ({})", consolidate::libelle_reservataire(&reservataire), r.mode)?;
                    writeln!(out, "bailleur\tcommune\tdéclaré\tdossier\técart")?;
                    for l in &r.lignes {
                        let commune = if l.commune.is_empty() {
                            "(toutes)".to_string()
                        } else {
                            consolidate::nom_commune(&l.commune)
                        };
                        writeln!(out, "{}\t{}\t{}\t{}\t{:+}", l.bailleur, commune, l.declare, l.dossier, l.ecart)?;
                    }
                    for x in &r.absents_du_dossier {
                        writeln!(out, "absent du dossier : {} {}", x.bailleur, x.reference)?;
                    }
                    for x in &r.absents_de_la_declaration {
                        writeln!(out, "absent de la déclaration : {} {}", x.bailleur, x.reference)?;
                    }
                    for (l, m) in &r.lignes_ignorees {
                        writeln!(out, "ligne {l} ignorée : {m}")?;
                    }
                }
            }
            Ok(())
        }
        Some(Command::Restore { dossier, import_id }) => {
            let mut d = Dossier::open(&dossier, false).map_err(store_err)?;
            let r = d.restore(import_id).map_err(store_err)?;
            let quoi = match r.genre {
                contingents::store::Genre::EtatDesLieux => "Import",
                contingents::store::Genre::Registre => "Registre",
            };
            dire!("{quoi} n° {import_id} rétabli pour : {}", r.bailleurs.join(", "));
            Ok(())
        }
        Some(Command::Suivi {
            action: SuiviCommand::Import { dossier, bailleur, decompte, delai, accepter_perte, fichiers },
        }) => {
            let regle = delai
                .as_deref()
                .map(|x| {
                    contingents::suivi::parse_regle_delai(x).ok_or_else(|| {
                        user(format!("--delai « {x} » : preavis, un-mois ou un nombre de jours ouvrés (1 à 120)"))
                    })
                })
                .transpose()?;
            let mut d = Dossier::open(&dossier, false).map_err(store_err)?;
            let o =
                contingents::suivi::OptionsRegistre { bailleur, decompte: decompte.map(|x| x.etape()), accepter_perte };
            let res = contingents::suivi::importer_avec_delai(&mut d, &fichiers, &o, regle).map_err(suivi_err)?;
            for s in res {
                if let Some(n) = s.identique {
                    dire!("{} : fichier identique, ignoré (registre n° {n}, {})", s.fichier, s.bailleur);
                    continue;
                }
                let rejets: usize = s.rejets.values().sum();
                dire!(
                    "{} (registre n° {}, {}) : {} lignes lues, {} mises à disposition, {} hors flux, {} mises de côté, {} signalées",
                    s.fichier,
                    s.import_id,
                    s.bailleur,
                    s.lignes_lues,
                    s.mises_a_disposition,
                    s.hors_flux,
                    rejets,
                    s.signalements
                );
                for (m, n) in &s.rejets {
                    dire!("  {} : {n}", contingents::suivi::motif_en_clair(m));
                }
                for (ligne, id) in &s.deja_saisies {
                    dire!(
                        "  ligne {ligne} : déjà saisie (n° {id}) ; la mise à disposition saisie dans la fenêtre est gardée et comptée une fois, cette ligne n'est pas comptée (pour prendre la ligne du registre : supprimez la saisie n° {id}, puis réimportez le registre)"
                    );
                }
                for (ligne, id) in &s.conflits_saisies {
                    dire!(
                        "  ligne {ligne} : en conflit avec la saisie n° {id} (le logement est mis à disposition de l'une pendant l'autre) ; la saisie est gardée, cette ligne n'est pas comptée (si le registre fait foi : supprimez la saisie n° {id}, puis réimportez le registre)"
                    );
                }
                for (label, n) in &s.presomptions {
                    dire!("  « {label} » compris comme la collectivité du logement (à vérifier) : {n}");
                }
                for r in &s.remarques {
                    dire!("  {r}");
                }
            }
            Ok(())
        }
        Some(Command::Bilan { dossier, annee, semestre, du, au, bailleur, epci, reservataire, format, out }) => {
            let date = |s: &Option<String>, what: &str| -> Result<Option<contingents::model::Date>> {
                s.as_deref()
                    .map(|x| {
                        contingents::model::Date::parse_iso(x)
                            .ok_or_else(|| user(format!("{what} « {x} » : date attendue AAAA-MM-JJ")))
                    })
                    .transpose()
            };
            let periode =
                contingents::suivi::bilan::Periode::new(annee, semestre, date(&du, "--du")?, date(&au, "--au")?)
                    .map_err(user)?;
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            let reservataire = reservataire.map(|r| reservataire_arg("--reservataire", &r)).transpose()?;
            let o = contingents::suivi::bilan::BilanOptions { periode, bailleur, epci, reservataire };
            let b = contingents::suivi::bilan::bilan(&d, &o).map_err(suivi_err)?;
            if let Some(out) = &out {
                contingents::export::bilan::export(&b, out).map_err(user)?;
                eprintln!("Bilan écrit : {}", out.display());
            }
            let mut w = std::io::stdout().lock();
            match format {
                RapprochementFormat::Json => writeln!(w, "{}", serde_json::to_string(&b)?)?,
                RapprochementFormat::Text if out.is_none() => write_bilan_text(&mut w, &b)?,
                RapprochementFormat::Text => {}
            }
            Ok(())
        }
        Some(Command::Cia { dossier, reservataire, prioritaires, quartile1, qpv, defaut, format }) => {
            use contingents::store::ReglageCia;
            let pct = |s: &str, what: &str| -> Result<f64> {
                contingents::format::parse_pourcentage(s).map(|x| x / 100.0).map_err(|e| user(format!("{what} : {e}")))
            };
            let mut reglages = Vec::new();
            let reservataire = reservataire.map(|r| reservataire_arg("--reservataire", &r)).transpose()?;
            match (&reservataire, &prioritaires) {
                (Some(id), Some(p)) => {
                    reglages.push(ReglageCia::PrioritairesDe(id.clone(), Some(pct(p, "--prioritaires")?)))
                }
                (None, Some(p)) => reglages.push(ReglageCia::Prioritaires(pct(p, "--prioritaires")?)),
                (Some(id), None) if defaut => reglages.push(ReglageCia::PrioritairesDe(id.clone(), None)),
                (Some(_), None) => return Err(user("--reservataire : donnez aussi --prioritaires PCT ou --defaut")),
                (None, None) => {}
            }
            if let Some(q) = &quartile1 {
                reglages.push(ReglageCia::Quartile1(pct(q, "--quartile1")?));
            }
            if let Some(q) = &qpv {
                reglages.push(ReglageCia::Qpv(pct(q, "--qpv")?));
            }
            let d =
                if reglages.is_empty() { Dossier::open_read_only(&dossier) } else { Dossier::open(&dossier, false) }
                    .map_err(store_err)?;
            for r in &reglages {
                d.enregistrer_reglage_cia(r).map_err(store_err)?;
            }
            let r = d.reglages_cia().map_err(store_err)?;
            let mut w = std::io::stdout().lock();
            match format {
                RapprochementFormat::Json => writeln!(w, "{}", serde_json::to_string(&r)?)?,
                RapprochementFormat::Text => sortie::write_cia_text(&mut w, &r)?,
            }
            Ok(())
        }
        Some(Command::Orienter { dossier, logement, date, format }) => {
            let RefLogement { bailleur: b, reference } = logement.parse().map_err(|_| logement_invalide(&logement))?;
            let date = contingents::model::Date::parse_iso(&date)
                .ok_or_else(|| user(format!("--date « {date} » : date attendue AAAA-MM-JJ")))?;
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            let o = contingents::suivi::orientation::orienter(&d, &b, &reference, date).map_err(suivi_err)?;
            let mut w = std::io::stdout().lock();
            match format {
                RapprochementFormat::Json => writeln!(w, "{}", serde_json::to_string(&o)?)?,
                RapprochementFormat::Text => {
                    writeln!(
                        w,
                        "Logement {b}:{reference} — {} — {}{} — libéré le {}",
                        consolidate::nom_commune(&o.logement.commune),
                        o.logement.typologie,
                        if o.logement.qpv { " — QPV" } else { "" },
                        contingents::format::date_fr(&o.date)
                    )?;
                    if o.candidats.is_empty() {
                        writeln!(w, "Aucun réservataire n'a d'objectif sur ce logement cette année.")?;
                    }
                    for (i, c) in o.candidats.iter().enumerate() {
                        writeln!(w, "{}. {} — {}", i + 1, consolidate::libelle_reservataire(&c.id), c.raison)?;
                    }
                    for x in &o.indications {
                        writeln!(w, "Indication (objectifs de la CIA) : {x}")?;
                    }
                }
            }
            Ok(())
        }
        Some(Command::Delai { mise_a_disposition, preavis, departement, dossier, logement, reservataire }) => {
            conventions::delai(&mise_a_disposition, preavis, departement, dossier, logement, reservataire)
        }
        Some(Command::Historique { dossier, format }) => {
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            let h = d.historique().map_err(store_err)?;
            match format {
                RapprochementFormat::Json => dire!("{}", serde_json::to_string(&h)?),
                RapprochementFormat::Text => {
                    for i in h {
                        let (unite, genre) = match i.genre {
                            contingents::store::Genre::EtatDesLieux => ("logements", "état des lieux"),
                            contingents::store::Genre::Registre => ("lignes", "registre     "),
                        };
                        dire!(
                            "{:>4}  {}  {}  {}  {}  {} {unite}, {} rejets  {}",
                            i.import,
                            i.date,
                            genre,
                            if i.actif { "actif   " } else { "remplacé" },
                            i.fichier,
                            i.logements,
                            i.rejets,
                            i.bailleur
                        );
                    }
                }
            }
            Ok(())
        }
        Some(Command::GenererDemo { dossier_sortie }) => {
            for (f, b) in contingents::demo::write_demo_files(&dossier_sortie)? {
                dire!("{f} ({b})");
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_rows_set_aside_are_said_in_words() {
        assert_eq!(contingents::suivi::motif_en_clair("date_illisible"), "Date illisible");
        assert_eq!(contingents::suivi::motif_en_clair("logement_inconnu"), "Logement inconnu du dossier");
        assert_eq!(contingents::suivi::motif_en_clair("bailleur_different"), "Ligne d'un autre bailleur");
        assert_eq!(contingents::suivi::motif_en_clair("reference_manquante"), "Référence manquante");
    }

    #[test]
    fn several_files_follow_one_importer_flag() {
        let cli = Cli::try_parse_from([
            "contingents",
            "gui",
            "d.sqlite",
            "--importer",
            "a.xlsx",
            "b.ods",
            "--ecran",
            "import",
        ])
        .unwrap();
        let Some(Command::Gui { dossier, importer, ecran, .. }) = cli.command else { panic!("gui attendu") };
        assert_eq!(dossier, Some(PathBuf::from("d.sqlite")));
        assert_eq!(importer, vec![PathBuf::from("a.xlsx"), PathBuf::from("b.ods")]);
        assert_eq!(ecran.as_deref(), Some("import"));
    }
}
