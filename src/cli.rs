//! The command line: clap commands → core calls → printing. No figure is computed here.

use anyhow::{Context as _, Result, anyhow};
use clap::{Parser, Subcommand, ValueEnum};
use contingents::consolidate::{self, Cube, Filtre};
use contingents::format::csv_safe;
use contingents::import::run::{ImportError, ImportOptions, Progress, import_files};
use contingents::model::TypologieGrille;
use contingents::store::{Dossier, StoreError};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

#[derive(Parser)]
#[command(
    name = "contingents",
    version = concat!(env!("CARGO_PKG_VERSION"), " — données de référence ", "COG 2026 (@etalab/decoupage-administratif 6.0.0)"),
    about = "Consolider les états des lieux des réservations de logements sociaux et préparer la gestion en flux"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum GridFormat {
    Text,
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RapprochementFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
pub enum ExportCommand {
    /// La fiche navette, vierge ou préremplie depuis le dossier (xlsx ou pdf).
    FicheNavette {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, requires_all = ["logement", "reservataire"])]
        dossier: Option<PathBuf>,
        /// BAILLEUR:REFERENCE
        #[arg(long, requires = "dossier")]
        logement: Option<String>,
        #[arg(long, requires = "dossier")]
        reservataire: Option<String>,
    },
    /// L'annexe d'une convention pour un réservataire sur une commune ou un EPCI (xlsx ou pdf).
    Annexe {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long)]
        reservataire: String,
        #[arg(long, conflicts_with = "epci", required_unless_present = "epci")]
        commune: Option<String>,
        #[arg(long)]
        epci: Option<String>,
        #[arg(long)]
        bailleur: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// L'état des lieux consolidé (Synthèse, une feuille par réservataire — au-delà de 60, « Autres réservataires » —, Données, Anomalies).
    EtatDesLieux {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// La fiche récapitulative du calcul de l'assiette d'un bailleur (une colonne par EPCI).
    FicheAssiette {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long)]
        bailleur: String,
        #[arg(long)]
        annee: i32,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum Command {
    /// Ouvre la fenêtre sur un dossier (par défaut le dernier ouvert, sinon le dossier de démonstration).
    Gui {
        dossier: Option<PathBuf>,
        /// Fichiers à ouvrir dans l'assistant d'import dès le démarrage.
        #[arg(long = "importer", num_args = 1..)]
        importer: Vec<PathBuf>,
        /// Écran affiché à l'ouverture : consolidation, tableau, flux, historique...
        #[arg(long)]
        ecran: Option<String>,
        /// Ouvre le dossier de démonstration (construit s'il n'existe pas encore).
        #[arg(long, conflicts_with = "dossier")]
        demo: bool,
    },
    /// Construit le dossier de démonstration à partir des fichiers fournis avec l'application.
    Demo {
        #[arg(long)]
        dossier: PathBuf,
    },
    /// Importe des états des lieux de bailleurs dans un dossier (une seule transaction).
    Import {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long)]
        bailleur: Option<String>,
        /// SIREN de l'EPCI ou code du département dont les communes sont acceptées.
        #[arg(long)]
        territoire: Option<String>,
        /// Date de référence AAAA-MM-JJ (droits échus avant cette date).
        #[arg(long = "date-reference")]
        date_reference: Option<String>,
        #[arg(required = true)]
        fichiers: Vec<PathBuf>,
    },
    /// Le stock consolidé, les rejets, conflits et droits échus.
    Report {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long, value_enum, default_value = "json")]
        format: ReportFormat,
    },
    /// La grille financement × typologie d'un réservataire.
    Grid {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long)]
        reservataire: String,
        #[arg(long, conflicts_with = "epci")]
        commune: Option<String>,
        #[arg(long)]
        epci: Option<String>,
        #[arg(long)]
        bailleur: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: GridFormat,
    },
    /// Le flux annuel d'un bailleur sur un EPCI (paramètres gardés dans le dossier).
    Flux {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long)]
        bailleur: String,
        #[arg(long)]
        epci: String,
        #[arg(long)]
        annee: i32,
        /// Taux de rotation en pourcentage (5 = 5 %).
        #[arg(long)]
        rotation: Option<String>,
        /// Mutations internes : un nombre, ou un pourcentage des libérations (10%).
        #[arg(long)]
        mutations: Option<String>,
        #[arg(long)]
        relogements: Option<u64>,
        #[arg(long)]
        ventes: Option<u64>,
        /// Taux fixé à la main : ID=PCT (répétable), par exemple etat=25.
        #[arg(long = "taux")]
        taux: Vec<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: RapprochementFormat,
    },
    /// Un graphique du stock en PNG (impression) ou SVG (texte réel).
    Chart {
        /// individuel-collectif, qpv, typologie, financement, communes, bailleurs, reservataires, etat-reservation, synthese
        kind: String,
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        reservataire: Option<String>,
        #[arg(long)]
        commune: Option<String>,
        #[arg(long)]
        bailleur: Option<String>,
        /// tout, reserve ou non-reserve
        #[arg(long, default_value = "tout")]
        stock: String,
    },
    /// Exporte un document (xlsx).
    Export {
        #[command(subcommand)]
        document: ExportCommand,
    },
    /// Compare la déclaration d'un réservataire (effectifs ou références) avec le dossier.
    Rapprochement {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long)]
        reservataire: String,
        #[arg(long)]
        declaration: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: RapprochementFormat,
    },
    /// Rétablit la version des logements apportée par un import précédent.
    Restore {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long = "import")]
        import_id: i64,
    },
    /// L'historique des imports du dossier.
    Historique {
        #[arg(long)]
        dossier: PathBuf,
    },
    /// Écrit les fichiers de démonstration (réservé aux mainteneurs : assets/demo).
    #[command(hide = true)]
    GenererDemo { dossier_sortie: PathBuf },
}

/// A user error (exit 1) as opposed to an internal one (exit 2).
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

fn user(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!(UserError(e.to_string()))
}

fn store_err(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Sql(_) => anyhow!(e),
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
            build_demo(&dossier)?;
            println!("Dossier de démonstration créé : {}", dossier.display());
            Ok(())
        }
        Some(Command::Import { dossier, bailleur, territoire, date_reference, fichiers }) => {
            let mut d = Dossier::open(&dossier, true).map_err(store_err)?;
            let bar = TerminalBar::new();
            let opts = ImportOptions { bailleur, territoire, date_reference };
            let res = import_files(&mut d, &fichiers, &opts, &bar, &AtomicBool::new(false));
            bar.finish();
            let summaries = res.map_err(|e| match e {
                ImportError::Store(StoreError::Sql(s)) => anyhow!(s),
                other => user(other),
            })?;
            for s in summaries {
                let rejets: usize = s.rejets.values().sum();
                println!(
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
                for (m, n) in &s.rejets {
                    println!("  {} : {n}", m.label());
                }
            }
            Ok(())
        }
        Some(Command::Report { dossier, format }) => {
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            let r = consolidate::report(&d)?;
            let mut out = std::io::stdout().lock();
            match format {
                ReportFormat::Json => {
                    serde_json::to_writer(&mut out, &r)?;
                    writeln!(out)?;
                }
                ReportFormat::Csv => write_cells_csv(&mut out, &r.cellules)?,
            }
            Ok(())
        }
        Some(Command::Grid { dossier, reservataire, commune, epci, bailleur, format }) => {
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
                    let v = grid_json(&reservataire, commune.as_deref(), epci.as_deref(), bailleur.as_deref(), &g);
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
        Some(Command::Flux {
            dossier,
            bailleur,
            epci,
            annee,
            rotation,
            mutations,
            relogements,
            ventes,
            taux,
            format,
        }) => {
            let given = rotation.is_some()
                || mutations.is_some()
                || relogements.is_some()
                || ventes.is_some()
                || !taux.is_empty();
            let d = if given { Dossier::open(&dossier, false) } else { Dossier::open_read_only(&dossier) }
                .map_err(store_err)?;
            let mut p = contingents::flux::parametres(&d, &bailleur, &epci, annee)?;
            let pct =
                |s: &str, what: &str| -> Result<f64> {
                    s.trim().trim_end_matches('%').trim().replace(',', ".").parse::<f64>().map_err(|_| {
                        user(format!("{what} invalide « {s} » : attendu un pourcentage, par exemple 5 ou 5%"))
                    })
                };
            if let Some(r) = &rotation {
                p.rotation_pct = Some(pct(r, "taux de rotation")?);
            }
            if let Some(m) = &mutations {
                if m.trim().ends_with('%') {
                    p.mutations_pct = Some(pct(m, "mutations")?);
                    p.mutations = None;
                } else {
                    p.mutations = Some(m.trim().parse().map_err(|_| {
                        user(format!("mutations invalides « {m} » : un nombre ou un pourcentage (10%)"))
                    })?);
                    p.mutations_pct = None;
                }
            }
            for (motif, v) in [("relogements", relogements), ("ventes", ventes)] {
                if let Some(n) = v {
                    p.soustraits.retain(|(m, _, _)| m != motif);
                    p.soustraits.push((motif.to_string(), n, "ligne de commande".into()));
                }
            }
            for t in &taux {
                let (id, v) = t
                    .split_once('=')
                    .ok_or_else(|| user(format!("--taux « {t} » : attendu ID=PCT, par exemple etat=25")))?;
                p.taux_fixes.insert(id.trim().to_string(), pct(v, "taux")?);
            }
            let groupes = contingents::flux::groupes(&d, &bailleur, &epci)?;
            if groupes.is_empty() {
                return Err(user(format!(
                    "aucun logement du bailleur « {bailleur} » sur l'EPCI {epci} dans le dossier"
                )));
            }
            if given {
                contingents::flux::enregistrer_parametres(&d, &bailleur, &epci, annee, &p)?;
            }
            let f = contingents::flux::calculer(&bailleur, &epci, annee, &groupes, &p);
            let mut out = std::io::stdout().lock();
            match format {
                RapprochementFormat::Json => writeln!(out, "{}", serde_json::to_string(&f)?)?,
                RapprochementFormat::Text => {
                    writeln!(out, "Flux {annee} — {bailleur} — {}", consolidate::nom_epci(&epci))?;
                    writeln!(out, "parc\t{}", f.parc)?;
                    for (m, n) in &f.exclusions {
                        writeln!(out, "  exclus ({m})\t{n}")?;
                    }
                    writeln!(out, "assiette\t{}", f.assiette)?;
                    writeln!(out, "taux de rotation\t{:.2} %", f.taux_rotation * 100.0)?;
                    writeln!(out, "libérations\t{}", f.liberations)?;
                    for (m, n) in &f.soustraits {
                        writeln!(out, "  soustraits ({m})\t{n}")?;
                    }
                    writeln!(out, "flux\t{}", f.flux)?;
                    for r in &f.reservataires {
                        writeln!(
                            out,
                            "{}\tstock {}\ttaux {:.2} %\t{} logements",
                            consolidate::libelle_reservataire(&r.id),
                            r.stock,
                            r.taux * 100.0,
                            r.logements
                        )?;
                    }
                    for a in &f.alertes {
                        writeln!(out, "alerte {} : {}", a.regle, a.detail)?;
                    }
                }
            }
            Ok(())
        }
        Some(Command::Chart { kind, dossier, out, reservataire, commune, bailleur, stock }) => {
            use contingents::charts::{Kind, Stock};
            let k = Kind::parse(&kind).ok_or_else(|| {
                user(format!(
                    "graphique inconnu « {kind} » : {}",
                    Kind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
                ))
            })?;
            let s = Stock::parse(&stock)
                .ok_or_else(|| user(format!("--stock « {stock} » : tout, reserve ou non-reserve")))?;
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            let cube = Cube::load(&d)?;
            let f = Filtre { reservataire, commune, bailleur, ..Default::default() };
            let sous_titre = format!("{} — {} — au {}", d.territoire().label(), s.label(), d.date_reference());
            contingents::charts::export(&cube, k, &f, s, &sous_titre, &out).map_err(user)?;
            println!("Graphique écrit : {}", out.display());
            Ok(())
        }
        Some(Command::Export { document: ExportCommand::FicheNavette { out, dossier, logement, reservataire } }) => {
            let d = match &dossier {
                Some(p) => Some(Dossier::open_read_only(p).map_err(store_err)?),
                None => None,
            };
            let valeurs = match (&d, &logement, &reservataire) {
                (Some(d), Some(l), Some(r)) => {
                    let (b, reference) = l
                        .split_once(':')
                        .ok_or_else(|| user(format!("--logement « {l} » : attendu BAILLEUR:REFERENCE")))?;
                    contingents::export::fiche_navette::valeurs(d, b, reference, r).map_err(user)?
                }
                _ => Default::default(),
            };
            contingents::export::fiche_navette::export(d.as_ref(), &valeurs, &out).map_err(user)?;
            println!("Fiche navette écrite : {}", out.display());
            Ok(())
        }
        Some(Command::Export {
            document: ExportCommand::Annexe { dossier, reservataire, commune, epci, bailleur, out },
        }) => {
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            contingents::export::annexe::export(
                &d,
                &reservataire,
                commune.as_deref(),
                epci.as_deref(),
                bailleur.as_deref(),
                &out,
            )
            .map_err(user)?;
            println!("Annexe écrite : {}", out.display());
            Ok(())
        }
        Some(Command::Export { document: ExportCommand::EtatDesLieux { dossier, out } }) => {
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            let bar = TerminalBar::new();
            let r = contingents::export::etat_des_lieux::export(&d, &out, &bar);
            bar.finish();
            r.map_err(user)?;
            println!("État des lieux consolidé écrit : {}", out.display());
            Ok(())
        }
        Some(Command::Export { document: ExportCommand::FicheAssiette { dossier, bailleur, annee, out } }) => {
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            contingents::export::fiche_assiette::export(&d, &bailleur, annee, &out).map_err(user)?;
            println!("Fiche de l'assiette écrite : {}", out.display());
            Ok(())
        }
        Some(Command::Rapprochement { dossier, reservataire, declaration, format }) => {
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
            let b = d.restore(import_id).map_err(store_err)?;
            println!("Import n° {import_id} rétabli pour : {}", b.join(", "));
            Ok(())
        }
        Some(Command::Historique { dossier }) => {
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            for i in d.imports()? {
                println!(
                    "{:>4}  {}  {}  {}  {} logements, {} rejets  {}",
                    i.id,
                    i.date_import,
                    if i.actif { "actif " } else { "remplacé" },
                    i.fichier,
                    i.logements,
                    i.rejets,
                    i.bailleurs.join(", ")
                );
            }
            Ok(())
        }
        Some(Command::GenererDemo { dossier_sortie }) => {
            for (f, b) in contingents::demo::write_demo_files(&dossier_sortie)? {
                println!("{f} ({b})");
            }
            Ok(())
        }
    }
}

/// `grid --format json` of `interfaces.md`.
pub fn grid_json(
    reservataire: &str,
    commune: Option<&str>,
    epci: Option<&str>,
    bailleur: Option<&str>,
    g: &consolidate::Grille,
) -> serde_json::Value {
    let perimetre = match (commune, epci) {
        (Some(c), _) => serde_json::json!({ "commune": c }),
        (_, Some(e)) => serde_json::json!({ "epci": e }),
        _ => serde_json::json!({}),
    };
    serde_json::json!({ "reservataire": reservataire, "perimetre": perimetre, "bailleur": bailleur, "lignes": g.lignes_json() })
}

/// The grid of the command line, from a dossier (the window tests compare with it).
#[cfg(test)]
pub fn grid_of(dossier: &Path, reservataire: &str, epci: Option<&str>) -> Result<serde_json::Value> {
    let d = Dossier::open_read_only(dossier).map_err(store_err)?;
    let f = Filtre { reservataire: Some(reservataire.into()), epci: epci.map(str::to_string), ..Default::default() };
    Ok(grid_json(reservataire, None, epci, None, &Cube::load(&d)?.grille(&f)))
}

fn write_grid(out: &mut impl Write, g: &consolidate::Grille, sep: &str, titre: &str) -> Result<()> {
    let cols: Vec<&str> = TypologieGrille::ALL.iter().map(|t| t.as_str()).collect();
    writeln!(out, "{}{sep}{}{sep}TOTAL", csv_safe(titre), cols.join(sep))?;
    let line = |out: &mut dyn Write, name: &str, vals: Vec<u64>| -> std::io::Result<()> {
        let total: u64 = vals.iter().sum();
        let v: Vec<String> = vals.iter().map(u64::to_string).collect();
        writeln!(out, "{name}{sep}{}{sep}{total}", v.join(sep))
    };
    for f in g.rows() {
        line(out, f.as_str(), TypologieGrille::ALL.iter().map(|t| g.get(f, *t)).collect())?;
    }
    line(out, "TOTAL", TypologieGrille::ALL.iter().map(|t| g.column_total(*t)).collect())?;
    Ok(())
}

/// The `cellules` as a tidy table for a French Excel: UTF-8 with BOM, `;`.
pub fn write_cells_csv(out: &mut impl Write, cells: &[consolidate::Cellule]) -> Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
    w.write_record([
        "bailleur",
        "commune",
        "epci",
        "reservataire",
        "financement",
        "typologie",
        "qpv",
        "individuel_collectif",
        "logements",
    ])?;
    for c in cells {
        w.write_record([
            csv_safe(&c.bailleur),
            csv_safe(&c.commune),
            csv_safe(&c.epci),
            csv_safe(&c.reservataire),
            c.financement.as_str().to_string(),
            c.typologie.as_str().to_string(),
            if c.qpv { "oui" } else { "non" }.to_string(),
            c.individuel_collectif.as_str().to_string(),
            c.logements.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Builds the demo dossier from the files embedded in the binary, through the normal
/// import path; written to a temporary file then renamed, so it is never half-built.
pub fn build_demo(dossier: &Path) -> Result<()> {
    let dir = dossier.with_extension("demo-files");
    std::fs::create_dir_all(&dir)?;
    let tmp = dossier.with_extension("tmp-demo");
    let _ = std::fs::remove_file(&tmp);
    {
        let mut d = Dossier::open(&tmp, true).map_err(store_err)?;
        for (name, bailleur, bytes) in contingents::demo::DEMO_FILES {
            let p = dir.join(name);
            std::fs::write(&p, bytes)?;
            let opts = ImportOptions {
                bailleur: Some(bailleur.to_string()),
                territoire: Some(contingents::demo::DEMO_TERRITOIRE.into()),
                date_reference: Some(contingents::demo::DEMO_DATE_REFERENCE.into()),
            };
            import_files(&mut d, &[p], &opts, &contingents::import::run::Silent, &AtomicBool::new(false))
                .map_err(|e| anyhow!("dossier de démonstration : {e}"))?;
        }
    }
    if let Some(parent) = dossier.parent() {
        std::fs::create_dir_all(parent).ok();
    }
    std::fs::rename(&tmp, dossier).with_context(|| format!("écriture de {}", dossier.display()))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
