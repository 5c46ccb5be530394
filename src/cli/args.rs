//! The commands and options (clap): the contract of `interfaces.md`.

use super::*;
use contingents::charts::{Kind, Stock};

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
    pub(super) dossier: PathBuf,
    #[arg(long)]
    pub(super) bailleur: String,
    #[arg(long, conflicts_with = "departement", required_unless_present = "departement")]
    pub(super) epci: Option<String>,
    /// Le flux de tous les EPCI du bailleur dans le département (convention État), et leur somme.
    #[arg(long)]
    pub(super) departement: Option<String>,
    #[arg(long)]
    pub(super) annee: i32,
    /// Taux de rotation en pourcentage : 5, 8,5 ou « 8,5 % ».
    #[arg(long, allow_hyphen_values = true)]
    pub(super) rotation: Option<String>,
    /// Mutations internes : un nombre, ou un pourcentage des libérations (10%).
    #[arg(long, allow_hyphen_values = true)]
    pub(super) mutations: Option<String>,
    /// Soustraits (une seule liste, voir --justification) : relogements ANRU / NPNRU.
    #[arg(long)]
    pub(super) relogements: Option<String>,
    /// Relogements hors ANRU (démolition, réhabilitation lourde ; accord du préfet).
    #[arg(long = "relogements-hors-anru")]
    pub(super) relogements_hors_anru: Option<String>,
    /// Logements insalubres (LHI, obligation de relogement).
    #[arg(long)]
    pub(super) insalubres: Option<String>,
    /// Relogements ORCOD.
    #[arg(long)]
    pub(super) orcod: Option<String>,
    /// Relogements liés aux ventes.
    #[arg(long)]
    pub(super) ventes: Option<String>,
    /// Urgence (préfet).
    #[arg(long)]
    pub(super) urgence: Option<String>,
    /// Autres déductions avec l'accord du préfet (gens du voyage, personnels hospitaliers…).
    #[arg(long)]
    pub(super) autres: Option<String>,
    /// Justification d'un soustrait : CATEGORIE=TEXTE (mutations, relogements, relogements_hors_anru,
    /// insalubres, orcod, ventes, urgence, autres ; répétable).
    #[arg(long = "justification")]
    pub(super) justifications: Vec<String>,
    /// Exclusion saisie à la main : MOTIF=N[@INSEE][:ID] (répétable).
    #[arg(long = "exclusion", allow_hyphen_values = true)]
    pub(super) exclusions: Vec<String>,
    /// Taux fixé à la main : ID=PCT (répétable) ; etat=PCT fixe la part totale de l'État.
    #[arg(long = "taux", allow_hyphen_values = true)]
    pub(super) taux: Vec<String>,
    /// Part des fonctionnaires dans celle de l'État (demande de l'État pour l'année), en %.
    #[arg(long, allow_hyphen_values = true)]
    pub(super) fonctionnaires: Option<String>,
    /// Collectivité dont la réservation vient d'un apport de terrain ou de financement (hors plafond de 20 %).
    #[arg(long = "apport")]
    pub(super) apports: Vec<String>,
    /// Référence de l'arrêté préfectoral (1 an au plus) qui autorise une part de l'État au-delà de 30 %.
    #[arg(long)]
    pub(super) arrete: Option<String>,
    /// Accord du préfet obtenu pour un soustrait qui le demande : CATEGORIE=RÉFÉRENCE (relogements_hors_anru,
    /// urgence, autres ; répétable ; une référence vide retire l'accord). L'alerte « accord du préfet » disparaît.
    #[arg(long = "accord-prefet")]
    pub(super) accords_prefet: Vec<String>,
    /// Des relogements ANRU / NPNRU, ceux que le bailleur accueille comme contributeur (les autres : ses
    /// locataires, comme démolisseur) ; fiche récapitulative.
    #[arg(long = "relogements-contributeur")]
    pub(super) relogements_contributeur: Option<String>,
    /// Fiche récapitulative : la CUS est prise en compte pour les soustraits (oui ou non ; vide : non renseigné).
    #[arg(long, value_parser = ["oui", "non", ""])]
    pub(super) cus: Option<String>,
    /// Fiche récapitulative : la charte de relogement est prise en compte (oui ou non ; vide : non renseigné).
    #[arg(long = "charte-relogement", value_parser = ["oui", "non", ""])]
    pub(super) charte_relogement: Option<String>,
    /// Fiche récapitulative : opérations nouvelles (mises en service de l'année, dans l'assiette l'an
    /// prochain) ; vide : non renseigné.
    #[arg(long = "operations-nouvelles")]
    pub(super) operations_nouvelles: Option<String>,
    /// Fiche récapitulative : autres logements spécifiques de l'assiette, CATEGORIE=N (plai-adaptes, jeunes,
    /// seniors, hospitaliers, judiciaires, habitat-participatif, pmr ; répétable ; N vide : non renseigné).
    #[arg(long = "logements-specifiques")]
    pub(super) logements_specifiques: Vec<String>,
    /// Fiche récapitulative : commentaires sur les logements spécifiques.
    #[arg(long)]
    pub(super) commentaires: Option<String>,
    /// Enregistre dans le dossier les paramètres donnés (la fenêtre, l'annexe et les bilans les reprennent).
    #[arg(long)]
    pub(super) enregistrer: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub(super) format: RapprochementFormat,
}

/// The chart named on the command line: the names of [`Kind`], listed in the help.
fn kind_parser() -> impl clap::builder::TypedValueParser<Value = Kind> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Kind::ALL.map(Kind::name))
        .map(|s| Kind::parse(&s).expect("one of the possible values"))
}

/// The stock a chart counts, named on the command line: the names of [`Stock`].
fn stock_parser() -> impl clap::builder::TypedValueParser<Value = Stock> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Stock::ALL.map(Stock::name))
        .map(|s| Stock::parse(&s).expect("one of the possible values"))
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
        /// Accepte qu'un registre garde moins de la moitié de ses lignes (sinon rien n'est remplacé).
        #[arg(long = "accepter-perte")]
        accepter_perte: bool,
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
    pub(super) fn etape(self) -> contingents::suivi::Etape {
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
        /// AAAA-MM-JJ : la date de mise à disposition ; la date de réponse est alors calculée
        /// comme par `delai` (règle de la convention, jours fériés du département du logement).
        #[arg(long = "mise-a-disposition", requires = "logement")]
        mise_a_disposition: Option<String>,
        /// 1 ou 3 (mois) : le préavis du locataire.
        #[arg(long, requires = "logement")]
        preavis: Option<u8>,
    },
    /// L'annexe d'une convention pour un réservataire sur une commune ou un EPCI (xlsx ou pdf).
    Annexe {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long)]
        reservataire: String,
        #[arg(long, conflicts_with_all = ["epci", "departement"], required_unless_present_any = ["epci", "departement"])]
        commune: Option<String>,
        #[arg(long, conflicts_with = "departement")]
        epci: Option<String>,
        /// L'annexe départementale d'une convention départementale (État, Action Logement, département…).
        #[arg(long)]
        departement: Option<String>,
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
    /// La prévision des soustraits de l'année par catégorie et par EPCI (à adresser aux réservataires
    /// avant le 28 février ; xlsx ou pdf).
    PrevisionSoustraits {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long)]
        bailleur: String,
        #[arg(long)]
        annee: i32,
        #[arg(long)]
        out: PathBuf,
    },
    /// La fiche récapitulative du calcul de l'assiette d'un bailleur (une colonne par EPCI ; xlsx ou pdf).
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
        /// Date de référence AAAA-MM-JJ (droits échus avant cette date) ; par défaut le 1er janvier de l'année en cours.
        #[arg(long = "date-reference")]
        date_reference: Option<String>,
        /// Accepte qu'un bailleur garde moins de la moitié de ses logements (sinon rien n'est remplacé).
        #[arg(long = "accepter-perte")]
        accepter_perte: bool,
        #[arg(required = true)]
        fichiers: Vec<PathBuf>,
    },
    /// Le territoire du dossier ; --changer en change explicitement (les logements qui en sortent sont listés).
    Territoire {
        #[arg(long)]
        dossier: PathBuf,
        /// SIREN de l'EPCI ou code du département (« tout » : aucun territoire).
        #[arg(long)]
        changer: Option<String>,
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
    Flux(Box<FluxArgs>),
    /// Un graphique du stock en PNG (impression) ou SVG (texte réel).
    Chart {
        #[arg(value_parser = kind_parser())]
        kind: Kind,
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
        #[arg(long, value_parser = stock_parser(), default_value = "tout")]
        stock: Stock,
    },
    /// Exporte un document : annexe, fiche récapitulative, prévision des soustraits et fiche navette en xlsx
    /// ou pdf (selon l'extension de --out), état des lieux consolidé en xlsx.
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
        /// Seulement ce réservataire (le bilan qui lui est envoyé ne contient que ses chiffres).
        #[arg(long)]
        reservataire: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: RapprochementFormat,
        /// Le bilan à envoyer (xlsx : une feuille par réservataire, la consolidation, la ventilation ; pdf à
        /// signer) ou son graphique d'avancement (png, svg).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Les objectifs de la convention intercommunale d'attribution (CIA) : publics prioritaires,
    /// premier quartile hors QPV, quartiles 2 à 4 en QPV. Sans réglage, les affiche.
    Cia {
        #[arg(long)]
        dossier: PathBuf,
        /// Le réservataire dont la CIA fixe un autre taux de publics prioritaires (avec --prioritaires
        /// ou --defaut).
        #[arg(long)]
        reservataire: Option<String>,
        /// Part des attributions aux publics prioritaires, en pourcentage (25 par défaut ; 0 : aucun
        /// objectif pour ce réservataire).
        #[arg(long)]
        prioritaires: Option<String>,
        /// Part des baux signés hors QPV au premier quartile, en pourcentage (25 par défaut).
        #[arg(long, conflicts_with = "reservataire")]
        quartile1: Option<String>,
        /// Part des baux signés en QPV aux quartiles 2 à 4, en pourcentage (50 par défaut).
        #[arg(long, conflicts_with = "reservataire")]
        qpv: Option<String>,
        /// Rend au réservataire l'objectif de la loi.
        #[arg(long, requires = "reservataire", conflicts_with = "prioritaires")]
        defaut: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: RapprochementFormat,
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
    /// L'échéance de réponse d'une mise à disposition (jours fériés du département du logement compris).
    Delai {
        /// AAAA-MM-JJ
        #[arg(long = "mise-a-disposition")]
        mise_a_disposition: String,
        /// 1 ou 3 (mois)
        #[arg(long)]
        preavis: u8,
        /// Le département du logement (Alsace-Moselle : Vendredi saint et 26 décembre ; outre-mer :
        /// abolition de l'esclavage).
        #[arg(long, conflicts_with = "logement")]
        departement: Option<String>,
        #[arg(long, requires = "logement")]
        dossier: Option<PathBuf>,
        /// BAILLEUR:REFERENCE : le département du logement.
        #[arg(long, requires = "dossier")]
        logement: Option<String>,
        /// La convention (sa règle de délai et son lundi de Pentecôte).
        #[arg(long, requires = "logement")]
        reservataire: Option<String>,
    },
    /// Les réglages d'un bailleur : adresse et correspondant (fiche récapitulative), règle de délai et
    /// jours travaillés de ses conventions.
    Bailleur(BailleurArgs),
    /// Rétablit la version apportée par un import précédent (état des lieux ou registre).
    Restore {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long = "import")]
        import_id: i64,
    },
    /// L'historique des imports du dossier (états des lieux et registres).
    Historique {
        #[arg(long)]
        dossier: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: RapprochementFormat,
    },
    /// Écrit les fichiers de démonstration (réservé aux mainteneurs : assets/demo).
    #[command(hide = true)]
    GenererDemo { dossier_sortie: PathBuf },
}

/// `contingents bailleur`: what the dossier keeps about a bailleur.
#[derive(clap::Args, Clone)]
pub struct BailleurArgs {
    #[arg(long)]
    pub(super) dossier: PathBuf,
    #[arg(long)]
    pub(super) nom: String,
    /// Renomme le bailleur partout dans le dossier (refusé si le nom est déjà pris) ; les autres
    /// options s'appliquent ensuite au nouveau nom.
    #[arg(long)]
    pub(super) renommer: Option<String>,
    #[arg(long)]
    pub(super) adresse: Option<String>,
    /// Nom du correspondant chez le bailleur.
    #[arg(long)]
    pub(super) correspondant: Option<String>,
    #[arg(long)]
    pub(super) fonction: Option<String>,
    #[arg(long)]
    pub(super) telephone: Option<String>,
    #[arg(long)]
    pub(super) courriel: Option<String>,
    /// La convention concernée par --delai, --lundi-pentecote, --vendredi-saint (sinon toutes
    /// celles du bailleur).
    #[arg(long)]
    pub(super) reservataire: Option<String>,
    /// Délai de réponse : preavis (15 jours ouvrés ou un mois), un-mois ou un nombre de jours ouvrés.
    #[arg(long)]
    pub(super) delai: Option<String>,
    /// Le lundi de Pentecôte dans les délais : ferie (par défaut) ou travaille.
    #[arg(long = "lundi-pentecote", value_parser = ["ferie", "travaille"])]
    pub(super) lundi_pentecote: Option<String>,
    /// Le Vendredi saint en Alsace-Moselle : ferie (présumé) ou travaille.
    #[arg(long = "vendredi-saint", value_parser = ["ferie", "travaille"])]
    pub(super) vendredi_saint: Option<String>,
}
