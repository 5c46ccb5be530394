//! The consolidated état des lieux: key figures, the grid financement × typologie of the
//! chosen réservataire, the réservataires' shares, and the dwellings behind a cell.

use super::num;
use crate::ui::settings::AppState;
use crate::ui::state::Ecrans;
use crate::ui::state::{Action, DossierView};
use contingents::consolidate::{libelle_reservataire, nom_commune};
use contingents::format::{entier, pourcent};
use contingents::model::{Reservataire, TypologieGrille};
use eframe::egui;

/// Why a dwelling listed is outside the assiette of the flux (the flux engine's rule: PLI,
/// défense…), if it is.
pub fn exclusion_du_logement(l: &contingents::consolidate::LogementSource) -> Option<&'static str> {
    let g = contingents::flux::Groupe {
        commune: l.commune.clone(),
        reservataire: l.reservataire.clone(),
        financement: contingents::model::Financement::parse(&l.financement)?,
        // The typology has no part in the exclusion.
        typologie: TypologieGrille::T3,
        qpv: false,
        nature: None,
        logements: 1,
    };
    contingents::flux::exclusion(&g)
}

/// The lists behind the counts of the consolidation's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anomalies {
    Conflits,
    Echus,
}

/// At most this many rows listed in the window (all in the exported état des lieux).
const LISTES_MAX: usize = 2000;

/// A value of a conflict in words: a réservataire by its name, else as read.
fn valeur_de_conflit(motif: &str, valeur: &str) -> String {
    if motif == "reservataires_differents" { libelle_reservataire(valeur) } else { valeur.to_string() }
}

/// The conflicts: the same reference met with different values in a bailleur's file; the
/// last row read is kept (`domaine.md`, doublons et conflits).
fn conflits(v: &DossierView, ui: &mut egui::Ui) {
    ui.strong(format!(
        "Conflits : une même référence lue avec des valeurs différentes ; la dernière ligne du fichier est gardée ({})",
        contingents::format::pluriel(v.conflits as u64, "conflit", "conflits")
    ));
    let entetes = ["Référence", "Bailleur", "Écart", "Valeurs lues (dans l'ordre du fichier)", "Valeur gardée"];
    let lignes = &v.liste_conflits[..v.liste_conflits.len().min(LISTES_MAX)];
    egui::ScrollArea::vertical().id_salt("liste-conflits").max_height(260.0).show(ui, |ui| {
        super::tableau_fixe(ui, "conflits", &entetes, lignes.len(), |ui, i, c| {
            let x = &lignes[i];
            let valeurs: Vec<String> = x.valeurs.iter().map(|w| valeur_de_conflit(&x.motif, w)).collect();
            match c {
                0 => super::texte(ui, &x.reference),
                1 => super::texte(ui, &x.bailleur),
                2 => super::texte(
                    ui,
                    if x.motif == "reservataires_differents" {
                        "réservataires différents"
                    } else {
                        "valeurs différentes"
                    },
                ),
                3 => super::texte(ui, valeurs.join(" ; ")),
                _ => super::texte(ui, valeurs.last().cloned().unwrap_or_default()),
            };
        });
    });
}

/// The extinct rights: conventions ended before the dossier's reference date, counted as
/// non réservé.
fn echus(v: &DossierView, liste: &[contingents::store::EchuOut], ui: &mut egui::Ui) {
    ui.strong(format!(
        "Droits échus : convention terminée avant le {} ; logements comptés en non réservé ({})",
        contingents::format::date_fr(&v.date_reference.to_string()),
        contingents::format::pluriel(v.echus as u64, "droit échu", "droits échus")
    ));
    let entetes = ["Référence", "Bailleur", "Ancien réservataire", "Fin de la convention"];
    let lignes = &liste[..liste.len().min(LISTES_MAX)];
    egui::ScrollArea::vertical().id_salt("liste-echus").max_height(260.0).show(ui, |ui| {
        super::tableau_fixe(ui, "echus", &entetes, lignes.len(), |ui, i, c| {
            let x = &lignes[i];
            match c {
                0 => super::texte(ui, &x.reference),
                1 => super::texte(ui, &x.bailleur),
                2 => super::texte(ui, libelle_reservataire(&x.reservataire)),
                _ => super::texte(ui, contingents::format::date_fr(&x.date_fin_convention)),
            };
        });
    });
}

pub fn consolidation(
    state: &AppState,
    v: &DossierView,
    ecrans: &Ecrans,
    generation: usize,
    ui: &mut egui::Ui,
) -> Vec<Action> {
    let mut actions = vec![];
    let Some(m) = &ecrans.memo else { return actions };
    let k = m.chiffres;
    let total = k.logements;
    let by_res = &m.by_res;
    let perimetre = state.filters.description();
    ui.heading(match &perimetre {
        Some(p) => format!("Parc filtré : {p}"),
        None => format!("Parc total — {}", v.territoire.label()),
    });
    super::cartes(
        ui,
        &[
            ("Logements", entier(k.logements)),
            ("Réservés", entier(k.reserves)),
            ("Non réservés", entier(k.non_reserves)),
            ("Part réservée", pourcent(k.reserves, k.logements)),
            ("Bailleurs", entier(k.bailleurs as u64)),
            ("Communes", entier(k.communes as u64)),
        ],
    );
    // Which list of anomalies is unfolded (kept in the UI memory: nothing of the dossier).
    let cle = ui.make_persistent_id("anomalies-montrees");
    let mut montre: Option<Anomalies> = ui.data(|d| d.get_temp(cle)).unwrap_or_default();
    if v.rejets.len() + v.conflits + v.echus > 0 {
        use contingents::format::pluriel;
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 0.0;
            // Counted on the whole dossier: said so under a filtered park (never read as the
            // filtered bailleur's).
            if perimetre.is_some() {
                ui.label("Dans tout le dossier (pas seulement le parc filtré) : ");
            }
            let rejets = pluriel(v.rejets.len() as u64, "ligne mise de côté", "lignes mises de côté");
            if v.rejets.is_empty() {
                ui.label(rejets);
            } else if ui.link(rejets).on_hover_text("Les voir dans l'écran Libellés à rapprocher").clicked() {
                actions.push(Action::Show(crate::ui::state::Screen::Libelles));
            }
            ui.label(", ");
            for (quoi, texte, n) in [
                (Anomalies::Conflits, pluriel(v.conflits as u64, "conflit", "conflits"), v.conflits),
                (Anomalies::Echus, pluriel(v.echus as u64, "droit échu", "droits échus"), v.echus),
            ] {
                if n == 0 {
                    ui.label(texte);
                } else if ui.link(texte).on_hover_text("Voir la liste (cliquer encore pour la replier)").clicked() {
                    montre = if montre == Some(quoi) { None } else { Some(quoi) };
                    if montre == Some(Anomalies::Echus) {
                        actions.push(Action::ListerEchus);
                    }
                }
                if quoi == Anomalies::Conflits {
                    ui.label(", ");
                }
            }
            ui.label(" (droits échus comptés en non réservé).");
        });
    }
    ui.data_mut(|d| d.insert_temp(cle, montre));
    match montre {
        Some(Anomalies::Conflits) if v.conflits > 0 => conflits(v, ui),
        Some(Anomalies::Echus) if v.echus > 0 => match &ecrans.echus {
            Some((g, liste)) if *g == generation => echus(v, liste, ui),
            _ => {
                if ui.link("Lire la liste des droits échus").clicked() {
                    actions.push(Action::ListerEchus);
                }
            }
        },
        _ => {}
    }
    ui.separator();
    egui::ScrollArea::both().id_salt("ecran-consolidation").auto_shrink([false, false]).show(ui, |ui| {
        let res = state.reservataire.as_deref();
        let titre = res.map(libelle_reservataire).unwrap_or_else(|| "Tous les réservataires".into());
        match &perimetre {
            Some(p) => ui.heading(format!("Grille financement × typologie — {titre} — {p}")),
            None => ui.heading(format!("Grille financement × typologie — {titre}")),
        };
        let g = &m.grille;
        let drill = |f, t| Action::Drill { reservataire: res.map(Reservataire::new), financement: f, typologie: t };
        // The financements stay in view while the typologies scroll (a projected 1280 × 720).
        let lignes = g.rows();
        let mut entetes = vec![""];
        entetes.extend(TypologieGrille::ALL.iter().map(|t| t.as_str()));
        entetes.push("TOTAL");
        let right = egui::Layout::right_to_left(egui::Align::Center);
        let largeur = 4.0 * ui.text_style_height(&egui::TextStyle::Body);
        let h = ui.spacing().interact_size.y;
        let case = |ui: &mut egui::Ui, contenu: &mut dyn FnMut(&mut egui::Ui) -> egui::Response| {
            ui.allocate_ui_with_layout(egui::vec2(largeur, h), right, |ui| contenu(ui)).inner
        };
        super::tableau_fixe_chiffre(ui, "grille", &entetes, &[1, 2, 3, 4, 5, 6, 7], lignes.len() + 1, |ui, l, c| {
            let t = (1..=TypologieGrille::ALL.len()).contains(&c).then(|| TypologieGrille::ALL[c - 1]);
            let Some(&f) = lignes.get(l) else {
                // The total row.
                match t {
                    _ if c == 0 => {
                        ui.strong("TOTAL");
                    }
                    Some(t) => {
                        let n = g.column_total(t);
                        case(ui, &mut |ui| ui.strong(entier(n))).widget_info(|| {
                            egui::WidgetInfo::labeled(egui::Role::Label, true, format!("Total {t} : {}", entier(n)))
                        });
                    }
                    None => {
                        case(ui, &mut |ui| ui.strong(entier(g.total()))).widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::Label,
                                true,
                                format!("Total général : {}", entier(g.total())),
                            )
                        });
                    }
                }
                return;
            };
            match t {
                _ if c == 0 => {
                    ui.strong(f.as_str());
                }
                Some(t) => {
                    let n = g.get(f, t);
                    let cell =
                        case(ui, &mut |ui| ui.button(entier(n))).on_hover_text(format!("{f} {t} : voir les logements"));
                    // Screen readers (and tests) read the cell with its row and column.
                    cell.widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::Button, true, format!("{f} {t} : {}", entier(n)))
                    });
                    if cell.clicked() {
                        actions.push(drill(Some(f), Some(t)));
                    }
                }
                None => {
                    case(ui, &mut |ui| ui.strong(entier(g.row_total(f))));
                }
            }
        });
        ui.add_space(12.0);
        ui.heading("Réservataires");
        ui.label(format!("Stock et part du parc — {}", perimetre.clone().unwrap_or_else(|| v.territoire.label())));
        egui::Grid::new("reservataires").striped(true).min_col_width(90.0).show(ui, |ui| {
            ui.strong("Réservataire");
            ui.strong("Logements");
            ui.strong("Part du parc");
            ui.end_row();
            // Each réservataire with its colour of the charts (the same everywhere).
            let palette = contingents::charts::Palette::du_cube(&v.cube);
            for (r, n) in by_res.iter().take(60) {
                let clicked = ui
                    .horizontal(|ui| {
                        super::pastille(ui, palette.couleur(r));
                        ui.link(libelle_reservataire(r)).clicked()
                    })
                    .inner;
                if clicked {
                    actions.push(Action::Drill { reservataire: Some(r.clone()), financement: None, typologie: None });
                }
                num(ui, *n);
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| ui.label(pourcent(*n, total)));
                ui.end_row();
            }
        });
        if by_res.len() > 60 {
            ui.label(format!("… et {} autres réservataires (tous dans l'état des lieux exporté)", by_res.len() - 60));
        }
        if let Some(d) = &ecrans.drill {
            ui.add_space(12.0);
            // The filters of the panel said too (the list follows them).
            let titre = match &perimetre {
                Some(p) => format!("Logements : {} — {p}", d.titre),
                None => format!("Logements : {}", d.titre),
            };
            let titre = ui
                .horizontal_wrapped(|ui| {
                    let t = ui.heading(titre);
                    if ui.button("Fermer la liste").on_hover_text("Échap").clicked() {
                        actions.push(Action::FermerDrill);
                    }
                    t
                })
                .inner;
            // Listed after a click far above: brought into view once (else the click would
            // seem to do nothing).
            if d.a_montrer {
                titre.scroll_to_me(Some(egui::Align::TOP));
                actions.push(Action::DrillMontre);
            }
            ui.label(format!("{} (2 000 au plus affichés)", contingents::format::logements(d.logements.len() as u64)));
            // All the réservataires: each dwelling's is said (column 8).
            let tous = matches!(d.demande, Action::Drill { reservataire: None, .. });
            let noms = [
                "Référence",
                "Bailleur",
                "Commune",
                "Typologie",
                "Financement",
                "Fichier",
                "Feuille",
                "Ligne",
                "Réservataire",
            ];
            let colonnes: Vec<usize> = if tous { vec![0, 8, 1, 2, 3, 4, 5, 6, 7] } else { (0..8).collect() };
            let entetes: Vec<&str> = colonnes.iter().map(|&c| noms[c]).collect();
            super::tableau_fixe(ui, "drill", &entetes, d.logements.len(), |ui, i, c| {
                let l = &d.logements[i];
                match colonnes[c] {
                    8 => {
                        super::texte(ui, libelle_reservataire(&l.reservataire));
                    }
                    0 => {
                        super::texte(ui, &l.reference).context_menu(|ui| {
                            if ui.button("Fiche navette…").clicked() {
                                actions.push(Action::FicheNavette {
                                    bailleur: l.bailleur.clone(),
                                    reference: l.reference.clone(),
                                    reservataire: Some(l.reservataire.clone())
                                        .filter(|r| *r != Reservataire::NON_RESERVE),
                                    exclusion: exclusion_du_logement(l),
                                });
                            }
                        });
                    }
                    1 => {
                        super::texte(ui, &l.bailleur);
                    }
                    2 => {
                        super::texte(ui, nom_commune(&l.commune));
                    }
                    3 => {
                        super::texte(ui, &l.typologie);
                    }
                    4 => {
                        super::texte(ui, &l.financement);
                    }
                    5 => {
                        super::texte(ui, &l.fichier);
                    }
                    6 => {
                        super::texte(ui, l.feuille.as_deref().unwrap_or("—"));
                    }
                    _ => {
                        super::texte(ui, l.ligne.to_string());
                    }
                }
            });
        }
    });
    actions
}
