//! The command line: clap commands → core calls → printing. No figure is computed here.

use anyhow::{Result, anyhow};
use clap::{Parser, Subcommand, ValueEnum};
use contingents::consolidate::{self, Cube, Filtre};
use contingents::flux::{ExclusionManuelle, FluxParametres};
use contingents::format::csv_safe;
use contingents::import::run::{ImportError, ImportOptions, Progress, import_files};
use contingents::model::TypologieGrille;
use contingents::store::{Dossier, StoreError};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
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

#[derive(clap::Args, Clone)]
pub struct FluxArgs {
    #[arg(long)]
    dossier: PathBuf,
    #[arg(long)]
    bailleur: String,
    #[arg(long, conflicts_with = "departement", required_unless_present = "departement")]
    epci: Option<String>,
    /// Le flux de tous les EPCI du bailleur dans le département (convention État), et leur somme.
    #[arg(long)]
    departement: Option<String>,
    #[arg(long)]
    annee: i32,
    /// Taux de rotation en pourcentage : 5, 8,5 ou « 8,5 % ».
    #[arg(long, allow_hyphen_values = true)]
    rotation: Option<String>,
    /// Mutations internes : un nombre, ou un pourcentage des libérations (10%).
    #[arg(long, allow_hyphen_values = true)]
    mutations: Option<String>,
    #[arg(long)]
    relogements: Option<String>,
    #[arg(long)]
    ventes: Option<String>,
    /// Exclusion saisie à la main : MOTIF=N[@INSEE][:ID] (répétable).
    #[arg(long = "exclusion", allow_hyphen_values = true)]
    exclusions: Vec<String>,
    /// Taux fixé à la main : ID=PCT (répétable) ; etat=PCT fixe la part totale de l'État.
    #[arg(long = "taux", allow_hyphen_values = true)]
    taux: Vec<String>,
    /// Part des fonctionnaires dans celle de l'État (demande de l'État pour l'année), en %.
    #[arg(long, allow_hyphen_values = true)]
    fonctionnaires: Option<String>,
    /// Collectivité dont la réservation vient d'un apport de terrain ou de financement (hors plafond de 20 %).
    #[arg(long = "apport")]
    apports: Vec<String>,
    /// Référence de l'arrêté préfectoral (1 an au plus) qui autorise une part de l'État au-delà de 30 %.
    #[arg(long)]
    arrete: Option<String>,
    /// Enregistre dans le dossier les paramètres donnés (la fenêtre, l'annexe et les bilans les reprennent).
    #[arg(long)]
    enregistrer: bool,
    #[arg(long, value_enum, default_value = "text")]
    format: RapprochementFormat,
}

/// The charts of the dashboard, as named on the command line.
#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    #[value(name = "individuel-collectif")]
    IndividuelCollectif,
    Qpv,
    Typologie,
    Financement,
    Communes,
    Bailleurs,
    Reservataires,
    #[value(name = "etat-reservation")]
    EtatReservation,
    Synthese,
}

impl KindArg {
    fn kind(self) -> contingents::charts::Kind {
        use contingents::charts::Kind;
        match self {
            KindArg::IndividuelCollectif => Kind::IndividuelCollectif,
            KindArg::Qpv => Kind::Qpv,
            KindArg::Typologie => Kind::Typologie,
            KindArg::Financement => Kind::Financement,
            KindArg::Communes => Kind::Communes,
            KindArg::Bailleurs => Kind::Bailleurs,
            KindArg::Reservataires => Kind::Reservataires,
            KindArg::EtatReservation => Kind::EtatReservation,
            KindArg::Synthese => Kind::Synthese,
        }
    }
}

/// Which stock a chart counts.
#[derive(Clone, Copy, ValueEnum)]
pub enum StockArg {
    Tout,
    Reserve,
    #[value(name = "non-reserve")]
    NonReserve,
}

#[derive(Subcommand)]
pub enum SuiviCommand {
    /// Importe des registres de mises à disposition (une seule transaction ; remplace le registre précédent du bailleur).
    Import {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long)]
        bailleur: Option<String>,
        /// Étape à laquelle les conventions du bailleur décomptent le flux.
        #[arg(long, value_enum)]
        decompte: Option<DecompteArg>,
        /// Délai de réponse des conventions du bailleur : preavis (15 jours ouvrés ou un mois,
        /// le défaut), un-mois (un mois quel que soit le préavis) ou un nombre de jours ouvrés.
        #[arg(long)]
        delai: Option<String>,
        #[arg(required = true)]
        fichiers: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DecompteArg {
    #[value(name = "mise_a_disposition")]
    MiseADisposition,
    #[value(name = "mise_a_disposition_validee")]
    MiseADispositionValidee,
    #[value(name = "proposition_cal")]
    PropositionCal,
    #[value(name = "attribution_cal")]
    AttributionCal,
    #[value(name = "bail_signe")]
    BailSigne,
}

impl DecompteArg {
    fn etape(self) -> contingents::suivi::Etape {
        use contingents::suivi::Etape;
        match self {
            DecompteArg::MiseADisposition => Etape::MiseADisposition,
            DecompteArg::MiseADispositionValidee => Etape::MiseADispositionValidee,
            DecompteArg::PropositionCal => Etape::PropositionCal,
            DecompteArg::AttributionCal => Etape::AttributionCal,
            DecompteArg::BailSigne => Etape::BailSigne,
        }
    }
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
        /// Année du flux imprimé (paramètres enregistrés) ; par défaut celle de la date de référence.
        #[arg(long)]
        annee: Option<i32>,
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
    /// Le flux annuel d'un bailleur sur un EPCI ou un département (paramètres gardés dans le dossier).
    Flux(FluxArgs),
    /// Un graphique du stock en PNG (impression) ou SVG (texte réel).
    Chart {
        #[arg(value_enum)]
        kind: KindArg,
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
        #[arg(long, value_enum, default_value = "tout")]
        stock: StockArg,
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
    /// Le suivi du flux : registres des mises à disposition des bailleurs.
    Suivi {
        #[command(subcommand)]
        action: SuiviCommand,
    },
    /// Le bilan d'une période : objectifs, étapes, décomptes, taux de chute, hors flux, ventilation.
    Bilan {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long)]
        annee: i32,
        #[arg(long, conflicts_with_all = ["du", "au"])]
        semestre: Option<u8>,
        /// Début de la période AAAA-MM-JJ (avec --au).
        #[arg(long, requires = "au")]
        du: Option<String>,
        #[arg(long, requires = "du")]
        au: Option<String>,
        #[arg(long)]
        bailleur: Option<String>,
        #[arg(long)]
        epci: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: RapprochementFormat,
        /// Le bilan à envoyer (xlsx : une feuille par réservataire, la consolidation, la ventilation ; pdf à
        /// signer) ou son graphique d'avancement (png, svg).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Les réservataires vers qui orienter un logement libéré, du plus en retard au moins en retard.
    Orienter {
        #[arg(long)]
        dossier: PathBuf,
        /// BAILLEUR:REFERENCE
        #[arg(long)]
        logement: String,
        /// AAAA-MM-JJ
        #[arg(long)]
        date: String,
        #[arg(long, value_enum, default_value = "text")]
        format: RapprochementFormat,
    },
    /// L'échéance de réponse d'une mise à disposition (jours fériés français compris).
    Delai {
        /// AAAA-MM-JJ
        #[arg(long = "mise-a-disposition")]
        mise_a_disposition: String,
        /// 1 ou 3 (mois)
        #[arg(long)]
        preavis: u8,
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
            contingents::demo::construire_dossier(&dossier)?;
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
                for (label, n) in &s.presomptions {
                    println!("  « {label} » compris comme la collectivité de la ligne (à vérifier) : {n}");
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
        Some(Command::Flux(args)) => flux_command(args),
        Some(Command::Chart { kind, dossier, out, reservataire, commune, bailleur, stock }) => {
            use contingents::charts::Stock;
            let k = kind.kind();
            let s = match stock {
                StockArg::Tout => Stock::Tout,
                StockArg::Reserve => Stock::Reserve,
                StockArg::NonReserve => Stock::NonReserve,
            };
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
            document: ExportCommand::Annexe { dossier, reservataire, commune, epci, bailleur, annee, out },
        }) => {
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            contingents::export::annexe::export(
                &d,
                &reservataire,
                commune.as_deref(),
                epci.as_deref(),
                bailleur.as_deref(),
                annee,
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
        Some(Command::Suivi { action: SuiviCommand::Import { dossier, bailleur, decompte, delai, fichiers } }) => {
            let regle = delai
                .as_deref()
                .map(|x| {
                    contingents::suivi::parse_regle_delai(x).ok_or_else(|| {
                        user(format!("--delai « {x} » : preavis, un-mois ou un nombre de jours ouvrés (1 à 120)"))
                    })
                })
                .transpose()?;
            let mut d = Dossier::open(&dossier, false).map_err(store_err)?;
            let res = contingents::suivi::importer(&mut d, &fichiers, bailleur.as_deref(), decompte.map(|x| x.etape()))
                .map_err(suivi_err)?;
            if let Some(r) = regle {
                for b in res.iter().map(|s| s.bailleur.clone()).collect::<std::collections::BTreeSet<_>>() {
                    contingents::suivi::enregistrer_regle_delai(&d, &b, None, r).map_err(suivi_err)?;
                }
            }
            for s in res {
                let rejets: usize = s.rejets.values().sum();
                println!(
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
                    println!("  {m} : {n}");
                }
                for (label, n) in &s.presomptions {
                    println!("  « {label} » compris comme la collectivité du logement (à vérifier) : {n}");
                }
            }
            Ok(())
        }
        Some(Command::Bilan { dossier, annee, semestre, du, au, bailleur, epci, format, out }) => {
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
            let o = contingents::suivi::bilan::BilanOptions { periode, bailleur, epci };
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
        Some(Command::Orienter { dossier, logement, date, format }) => {
            let (b, reference) = logement
                .split_once(':')
                .ok_or_else(|| user(format!("--logement « {logement} » : attendu BAILLEUR:REFERENCE")))?;
            let date = contingents::model::Date::parse_iso(&date)
                .ok_or_else(|| user(format!("--date « {date} » : date attendue AAAA-MM-JJ")))?;
            let d = Dossier::open_read_only(&dossier).map_err(store_err)?;
            let o = contingents::suivi::orientation::orienter(&d, b, reference, date).map_err(suivi_err)?;
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
                }
            }
            Ok(())
        }
        Some(Command::Delai { mise_a_disposition, preavis }) => {
            let d = contingents::model::Date::parse_iso(&mise_a_disposition).ok_or_else(|| {
                user(format!("--mise-a-disposition « {mise_a_disposition} » : date attendue AAAA-MM-JJ"))
            })?;
            if preavis != 1 && preavis != 3 {
                return Err(user(format!("--preavis {preavis} : 1 ou 3 (mois)")));
            }
            let e = contingents::suivi::calendrier::echeance(
                d,
                preavis,
                contingents::suivi::calendrier::RegleDelai::Preavis,
            )
            .ok_or_else(|| user("date hors du calendrier accepté"))?;
            println!("{e}");
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
pub fn grid_of(dossier: &std::path::Path, reservataire: &str, epci: Option<&str>) -> Result<serde_json::Value> {
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
fn suivi_err(e: contingents::suivi::SuiviError) -> anyhow::Error {
    match e {
        contingents::suivi::SuiviError::Store(s) => store_err(s),
        other => user(other),
    }
}

fn write_bilan_text(w: &mut impl Write, b: &contingents::suivi::bilan::Bilan) -> Result<()> {
    use contingents::format::{nombre_fr, pourcentage};
    writeln!(
        w,
        "Bilan {} du {} au {}{}",
        b.annee,
        contingents::format::date_fr(&b.debut),
        contingents::format::date_fr(&b.fin),
        b.bailleur.as_ref().map(|x| format!(" — {x}")).unwrap_or_default()
    )?;
    writeln!(
        w,
        "réservataire\tobjectif\tà la période\tmis à dispo.\tcandidats\tCALEOL\tattribués\tbaux\tdécomptés\técart\tchute"
    )?;
    for r in &b.reservataires {
        writeln!(
            w,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            consolidate::libelle_reservataire(&r.id),
            r.objectif,
            nombre_fr(r.objectif_periode, 1),
            r.mises_a_disposition,
            r.avec_candidats,
            r.examines_cal,
            r.attributions,
            r.baux_signes,
            r.decomptes,
            nombre_fr(r.ecart, 1),
            pourcentage(r.taux_chute)
        )?;
    }
    for (k, v) in &b.hors_flux {
        if v.prevus > 0 || v.realises > 0 {
            writeln!(w, "hors flux {k} : {} prévus, {} réalisés", v.prevus, v.realises)?;
        }
    }
    for a in &b.alertes {
        writeln!(w, "alerte {} : {}", a.regle, a.detail)?;
    }
    for s in &b.signalements {
        writeln!(w, "signalé {}:{} : {}", s.bailleur, s.reference, s.detail)?;
    }
    if !b.rejets.is_empty() {
        writeln!(w, "{} lignes de registre mises de côté", b.rejets.len())?;
    }
    Ok(())
}

/// Applies the parameters given on the command line to those of the dossier.
fn apply_flux_args(a: &FluxArgs, p: &mut FluxParametres) -> Result<()> {
    use contingents::format::{parse_entier, parse_pourcentage};
    let pct = |s: &str, what: &str| parse_pourcentage(s).map_err(|e| user(format!("{what} : {e}")));
    if let Some(r) = &a.rotation {
        p.rotation_pct = Some(pct(r, "--rotation")?);
    }
    if let Some(m) = &a.mutations {
        if m.trim().ends_with('%') {
            p.mutations_pct = Some(pct(m, "--mutations")?);
            p.mutations = None;
        } else {
            p.mutations =
                Some(parse_entier(m).map_err(|e| user(format!("--mutations : {e} (ou un pourcentage : 10%)")))?);
            p.mutations_pct = None;
        }
    }
    for (motif, v) in [("relogements", &a.relogements), ("ventes", &a.ventes)] {
        if let Some(v) = v {
            let n = parse_entier(v).map_err(|e| user(format!("--{motif} : {e}")))?;
            p.soustraits.retain(|(m, _, _)| m != motif);
            p.soustraits.push((motif.to_string(), n, "ligne de commande".into()));
        }
    }
    if !a.exclusions.is_empty() {
        p.exclusions_manuelles.clear();
        for e in &a.exclusions {
            p.exclusions_manuelles.push(ExclusionManuelle::parse(e).map_err(user)?);
        }
    }
    for t in &a.taux {
        let (id, v) =
            t.split_once('=').ok_or_else(|| user(format!("--taux « {t} » : attendu ID=PCT, par exemple etat=25")))?;
        let x = pct(v, &format!("--taux {}", id.trim()))?;
        match id.trim() {
            "etat" => p.taux_etat_pct = Some(x),
            "etat-fonctionnaires" => p.taux_fonctionnaires_pct = Some(x),
            other => {
                p.taux_fixes.insert(other.to_string(), x);
            }
        }
    }
    if let Some(f) = &a.fonctionnaires {
        p.taux_fonctionnaires_pct = Some(pct(f, "--fonctionnaires")?);
    }
    p.apports.extend(a.apports.iter().map(|s| s.trim().to_string()));
    if let Some(r) = &a.arrete {
        p.arrete_prefectoral = Some(r.clone()).filter(|r| !r.trim().is_empty());
    }
    Ok(())
}

fn flux_command(a: FluxArgs) -> Result<()> {
    let d = if a.enregistrer { Dossier::open(&a.dossier, false) } else { Dossier::open_read_only(&a.dossier) }
        .map_err(store_err)?;
    let given = a.rotation.is_some()
        || a.mutations.is_some()
        || a.relogements.is_some()
        || a.ventes.is_some()
        || !a.exclusions.is_empty()
        || !a.taux.is_empty()
        || a.fonctionnaires.is_some()
        || !a.apports.is_empty()
        || a.arrete.is_some();
    let f = match (&a.epci, &a.departement) {
        (Some(epci), _) => {
            let groupes = contingents::flux::groupes(&d, &a.bailleur, epci)?;
            if groupes.is_empty() {
                return Err(user(format!(
                    "aucun logement du bailleur « {} » sur l'EPCI {epci} dans le dossier",
                    a.bailleur
                )));
            }
            let mut p = contingents::flux::parametres(&d, &a.bailleur, epci, a.annee)?;
            apply_flux_args(&a, &mut p)?;
            contingents::flux::verifier(&groupes, &p).map_err(user)?;
            if a.enregistrer {
                p.annee_source = None;
                contingents::flux::enregistrer_parametres(&d, &a.bailleur, epci, a.annee, &p)?;
            }
            contingents::flux::calculer(&a.bailleur, epci, a.annee, &groupes, &p)
        }
        (None, Some(dep)) => {
            if contingents::reference::reference().departement(dep).is_none() {
                return Err(user(format!("département inconnu « {dep} » : attendu un code comme 06, 83 ou 2A")));
            }
            if a.mutations.as_deref().is_some_and(|m| !m.trim().ends_with('%'))
                || a.relogements.is_some()
                || a.ventes.is_some()
                || a.exclusions.iter().any(|e| !e.contains('@'))
            {
                return Err(user(
                    "avec --departement, les soustraits en nombre et les exclusions sans commune se saisissent EPCI par EPCI (--epci) ; les mutations peuvent être données en pourcentage (10%)",
                ));
            }
            let epcis = contingents::flux::epcis_du_departement(&d, &a.bailleur, dep)?;
            if epcis.is_empty() {
                return Err(user(format!("aucun logement du bailleur « {} » dans le département {dep}", a.bailleur)));
            }
            let mut entrees = Vec::new();
            for e in &epcis {
                let g = contingents::flux::groupes(&d, &a.bailleur, e)?;
                let mut p = contingents::flux::parametres(&d, &a.bailleur, e, a.annee)?;
                let mut own = FluxArgs { exclusions: vec![], ..a.clone() };
                own.exclusions = a
                    .exclusions
                    .iter()
                    .filter(|x| g.iter().any(|g| x.contains(&format!("@{}", g.commune))))
                    .cloned()
                    .collect();
                apply_flux_args(&own, &mut p)?;
                entrees.push((e.clone(), g, p));
            }
            for x in &a.exclusions {
                if !entrees.iter().any(|(_, g, _)| g.iter().any(|g| x.contains(&format!("@{}", g.commune)))) {
                    return Err(user(format!(
                        "exclusion « {x} » : le bailleur n'a aucun logement dans cette commune du département"
                    )));
                }
            }
            for (_, g, p) in &entrees {
                contingents::flux::verifier_departement(g, p).map_err(user)?;
            }
            if a.enregistrer {
                for (e, _, p) in entrees.iter_mut() {
                    p.annee_source = None;
                    contingents::flux::enregistrer_parametres(&d, &a.bailleur, e, a.annee, p)?;
                }
            }
            contingents::flux::calculer_departement(&a.bailleur, dep, a.annee, &entrees)
        }
        (None, None) => return Err(user("précisez --epci SIREN ou --departement CODE")),
    };
    if given && !a.enregistrer {
        eprintln!(
            "Paramètres utilisés pour ce calcul seulement : ajoutez --enregistrer pour les garder dans le dossier."
        );
    }
    let mut out = std::io::stdout().lock();
    match a.format {
        RapprochementFormat::Json => writeln!(out, "{}", serde_json::to_string(&f)?)?,
        RapprochementFormat::Text => write_flux_text(&mut out, &f)?,
    }
    Ok(())
}

fn write_flux_text(out: &mut impl Write, f: &contingents::flux::Flux) -> Result<()> {
    use contingents::format::{entier, pourcentage};
    let territoire = match (&f.epci, &f.departement) {
        (Some(e), _) => consolidate::nom_epci(e),
        (_, Some(d)) => format!("département {d}"),
        _ => String::new(),
    };
    writeln!(out, "Flux {} — {} — {territoire}", f.annee, f.bailleur)?;
    writeln!(out, "parc\t{}", entier(f.parc))?;
    for (m, n) in &f.exclusions {
        writeln!(out, "  exclus ({m})\t{}", entier(*n))?;
    }
    writeln!(out, "assiette\t{}", entier(f.assiette))?;
    writeln!(out, "taux de rotation\t{}", pourcentage(f.taux_rotation))?;
    writeln!(out, "libérations\t{}", entier(f.liberations))?;
    for (m, n) in &f.soustraits {
        writeln!(out, "  soustraits ({m})\t{}", entier(*n))?;
    }
    writeln!(out, "flux\t{}", entier(f.flux))?;
    for r in &f.reservataires {
        writeln!(
            out,
            "{}\t{} — stock {} / assiette {}\ttaux {}{}\t{}",
            consolidate::libelle_reservataire(&r.id),
            r.perimetre.libelle(),
            entier(r.stock),
            entier(r.assiette),
            pourcentage(r.taux),
            if r.origine == "defaut" { " (par défaut)" } else { "" },
            contingents::format::logements(r.logements)
        )?;
    }
    for c in &f.communes {
        let detail: Vec<String> = c
            .reservataires
            .iter()
            .filter(|r| r.logements > 0)
            .map(|r| format!("{} {}", consolidate::libelle_reservataire(&r.id), r.logements))
            .collect();
        writeln!(out, "  {} : flux {} — {}", consolidate::nom_commune(&c.commune), c.flux, detail.join(", "))?;
    }
    for a in &f.alertes {
        writeln!(out, "alerte {} : {}", a.regle, a.detail)?;
    }
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
