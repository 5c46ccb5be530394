//! The bilans of the flux: for a year or a semester, per bailleur or for all, each
//! réservataire's objective against each step and its décomptes, the alerts, the libérations
//! outside the flux, a chart of the progress; and two helpers of the follow-up: the
//! orientation of a freed dwelling and the reply deadline. Reads the state, emits actions.

use crate::ui::state::{Action, BilanView};
use crate::ui::theme;
use contingents::consolidate::libelle_reservataire;
use contingents::format::{date_fr, entier, pourcentage};
use contingents::model::Regle;
use contingents::suivi::bilan::Bilan;
use eframe::egui;

mod aides;
mod champs;
mod cia;
mod saisie;

use aides::aides;
use cia::{objectifs_cia, reglages_cia};
use saisie::saisie;

fn selection(v: &BilanView, bailleurs: &[String], edit: bool, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        let a = super::champ_annee(ui, "bilan", v.annee).unwrap_or(v.annee);
        let mut s = v.semestre;
        let l = ui.label("Période");
        egui::ComboBox::from_id_salt("bilan-periode")
            .selected_text(match s {
                None => "Année entière",
                Some(1) => "1er semestre",
                _ => "2e semestre",
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut s, None, "Année entière");
                ui.selectable_value(&mut s, Some(1), "1er semestre");
                ui.selectable_value(&mut s, Some(2), "2e semestre");
            })
            .response
            .labelled_by(l.id);
        let mut b = v.bailleur.clone();
        let l = ui.label("Bailleur");
        egui::ComboBox::from_id_salt("bilan-bailleur")
            .selected_text(b.clone().unwrap_or_else(|| "Tous les bailleurs".into()))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut b, None, "Tous les bailleurs");
                for x in bailleurs {
                    ui.selectable_value(&mut b, Some(x.clone()), x);
                }
            })
            .response
            .labelled_by(l.id);
        let mut r = v.reservataire.clone();
        let l = ui.label("Réservataire");
        egui::ComboBox::from_id_salt("bilan-reservataire")
            .selected_text(r.as_deref().map(libelle_reservataire).unwrap_or_else(|| "Tous les réservataires".into()))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut r, None, "Tous les réservataires");
                for x in &v.reservataires {
                    ui.selectable_value(&mut r, Some(x.clone()), libelle_reservataire(x));
                }
            })
            .response
            .labelled_by(l.id);
        if a != v.annee || s != v.semestre || b != v.bailleur || r != v.reservataire {
            actions.push(Action::BilanSelect { annee: a, semestre: s, bailleur: b, reservataire: r });
        }
        if edit && ui.button("Exporter le bilan (xlsx)…").clicked() {
            actions.push(Action::ExportBilan("xlsx"));
        }
        if edit && ui.button("Bilan à signer (pdf)…").clicked() {
            actions.push(Action::ExportBilan("pdf"));
        }
        if edit && ui.button("Graphique (png)…").clicked() {
            actions.push(Action::ExportBilan("png"));
        }
        if edit && ui.button("Graphique (svg)…").clicked() {
            actions.push(Action::ExportBilan("svg"));
        }
    });
}

/// The table of the réservataires; projected in a workshop, the objective, the décomptés, the
/// gap and the taux de chute come first (visible without scrolling at 1280 × 720).
/// `hauteur`: in a workshop, the height left on the screen for the table; réservataires that
/// do not fit go to the next pages (« Réservataires suivants », or Page suivante on the
/// keyboard or the presenter's remote) while the heading and the total stay in view.
fn tableau(b: &Bilan, atelier: bool, hauteur: Option<f32>, ui: &mut egui::Ui) {
    let entetes = [
        "Réservataire",
        "Objectif",
        "À la période",
        "Mis à disposition",
        "Avec candidats",
        "En CALEOL",
        "Attribués",
        "Baux signés",
        "Décomptés",
        "Conclues par un bail",
        "En cours",
        "Chutes",
        "Écart",
        "Taux de chute",
    ];
    const ATELIER: [usize; 14] = [0, 1, 2, 8, 12, 13, 3, 4, 5, 6, 7, 9, 10, 11];
    let ordre: Vec<usize> = if atelier { ATELIER.to_vec() } else { (0..entetes.len()).collect() };
    let noms = entetes;
    let entetes: Vec<&str> = ordre.iter().map(|&i| entetes[i]).collect();
    let d = b.decimales();
    let n = b.reservataires.len();
    let page = hauteur.map(|h| Page::de(ui, n, h)).filter(|p| p.pages > 1);
    let (debut, fin) = page.as_ref().map(|p| (p.debut, p.fin)).unwrap_or((0, n));
    let montres = fin - debut;
    let right = |ui: &mut egui::Ui, s: String, fort: bool| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if fort { ui.strong(s) } else { super::texte(ui, s) }
        })
        .inner
    };
    let t = b.total();
    let chiffres: Vec<usize> = (1..entetes.len()).collect();
    // The last row is the total (on every page).
    super::tableau_fixe_chiffre(ui, "bilan-reservataires", &entetes, &chiffres, montres + 1, |ui, l, c| {
        let c = ordre[c];
        let Some(r) = b.reservataires[debut..fin].get(l) else {
            let s = match c {
                0 => {
                    ui.strong("Total");
                    return;
                }
                1 => entier(t.objectif),
                2 => contingents::format::logements_fr(t.objectif_periode, d),
                3 => entier(t.mises_a_disposition),
                4 => entier(t.avec_candidats),
                5 => entier(t.examines_cal),
                6 => entier(t.attributions),
                7 => entier(t.baux_signes),
                8 => entier(t.decomptes),
                9 => entier(t.baux_cohorte),
                10 => entier(t.en_cours),
                11 => entier(t.chutes),
                12 => contingents::format::ecart_fr(t.ecart, d),
                13 => t.taux_chute.map(pourcentage).unwrap_or_else(|| "—".into()),
                _ => {
                    ui.label("");
                    return;
                }
            };
            // Read with its column (screen readers, tests).
            let libelle = format!("Total — {} : {s}", noms[c]);
            right(ui, s, true).widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &libelle));
            return;
        };
        match c {
            0 => {
                super::texte(ui, libelle_reservataire(&r.id)).on_hover_text(format!("Décompte {}", r.decompte.label()));
            }
            1 => {
                right(ui, entier(r.objectif), false);
            }
            2 => {
                right(ui, contingents::format::logements_fr(r.objectif_periode, d), false);
            }
            3 => {
                right(ui, entier(r.mises_a_disposition), false);
            }
            4 => {
                right(ui, entier(r.avec_candidats), false);
            }
            5 => {
                right(ui, entier(r.examines_cal), false);
            }
            6 => {
                right(ui, entier(r.attributions), false);
            }
            7 => {
                right(ui, entier(r.baux_signes), false);
            }
            8 => {
                right(ui, entier(r.decomptes), true);
            }
            9 => {
                right(ui, entier(r.baux_cohorte), false);
            }
            10 => {
                right(ui, entier(r.en_cours), false);
            }
            11 => {
                right(ui, entier(r.chutes), false);
            }
            12 => {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let t = contingents::format::ecart_fr(r.ecart, d);
                    if r.ecart < 0.0 { ui.colored_label(theme::ALERTE, t) } else { ui.label(t) }
                });
            }
            // Nothing concluded in the period: no rate.
            _ if r.mises_a_disposition <= r.en_cours => {
                right(ui, "—".into(), false);
            }
            _ => {
                right(ui, pourcentage(r.taux_chute), false);
            }
        }
    });
    if let Some(p) = page {
        p.boutons(ui);
    }
}

/// A page of the workshop's table of réservataires: as many rows as the screen holds under
/// the heading, with the total and this line; the page shown is kept in the UI memory.
struct Page {
    cle: egui::Id,
    numero: usize,
    pages: usize,
    debut: usize,
    fin: usize,
    lignes: usize,
}

impl Page {
    fn de(ui: &egui::Ui, lignes: usize, hauteur: f32) -> Page {
        // A row of the table (its height and the spacing of the grid).
        let pas = super::hauteur_de_ligne(ui) + ui.spacing().item_spacing.y;
        // Kept out of the rows: the heading, the total, the line of the pages (three rows)
        // and the sideways bar of the table.
        let barre = ui.spacing().scroll.bar_width + ui.spacing().scroll.bar_outer_margin;
        let par_page = (((hauteur - barre) / pas).floor() as usize).saturating_sub(3).max(3);
        let pages = lignes.div_ceil(par_page).max(1);
        let cle = ui.make_persistent_id("bilan-page");
        let numero = ui.data(|d| d.get_temp::<usize>(cle)).unwrap_or(0).min(pages - 1);
        let debut = numero * par_page;
        Page { cle, numero, pages, debut, fin: (debut + par_page).min(lignes), lignes }
    }

    /// « Réservataires 1 à 8 sur 13 », the previous and next pages (buttons, Page
    /// précédente / Page suivante).
    fn boutons(&self, ui: &mut egui::Ui) {
        let mut numero = self.numero;
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "Réservataires {} à {} sur {} (page {} / {})",
                self.debut + 1,
                self.fin,
                self.lignes,
                self.numero + 1,
                self.pages
            ));
            let (avant, apres) = ui.input(|i| (i.key_pressed(egui::Key::PageUp), i.key_pressed(egui::Key::PageDown)));
            if (ui.add_enabled(numero > 0, egui::Button::new("Réservataires précédents")).clicked() || avant)
                && numero > 0
            {
                numero -= 1;
            }
            if (ui.add_enabled(numero + 1 < self.pages, egui::Button::new("Réservataires suivants")).clicked() || apres)
                && numero + 1 < self.pages
            {
                numero += 1;
            }
        });
        ui.data_mut(|d| d.insert_temp(self.cle, numero));
    }
}

/// How the taux de chute is counted, with each réservataire's figures: the rule is the core's
/// (domaine.md, a cohort rate), said under the table so that « pourquoi 29,8 % ? » has its
/// answer on screen.
fn explication_chute(b: &Bilan, ui: &mut egui::Ui) {
    ui.add(
        egui::Label::new(
            "Taux de chute = chutes ÷ mises à disposition conclues (mises à disposition − en cours). \
             En cours et chutes suivent les mises à disposition de la période (leur cohorte) ; \
             les baux signés sont comptés à leur propre date, même pour une mise à disposition antérieure.",
        )
        .wrap(),
    );
    let lignes: Vec<_> = b.reservataires.iter().filter(|r| r.mises_a_disposition > 0).collect();
    if lignes.is_empty() {
        return;
    }
    egui::CollapsingHeader::new("Taux de chute : le calcul de chaque réservataire").id_salt("bilan-chute").show(
        ui,
        |ui| {
            for r in lignes {
                let conclues = r.mises_a_disposition.saturating_sub(r.en_cours);
                let calcul = if conclues == 0 {
                    "aucune mise à disposition conclue".to_string()
                } else {
                    format!(
                        "{} ÷ ({} − {} en cours) = {} ÷ {} = {}",
                        entier(r.chutes),
                        entier(r.mises_a_disposition),
                        entier(r.en_cours),
                        entier(r.chutes),
                        entier(conclues),
                        pourcentage(r.taux_chute)
                    )
                };
                ui.label(format!("{} : {calcul}", libelle_reservataire(&r.id)));
            }
        },
    );
}

/// Objective of the period against décomptes, one pair of bars per réservataire, sized with
/// the text (readable when projected).
fn graphique(b: &Bilan, ui: &mut egui::Ui) {
    let rows: Vec<_> = b.reservataires.iter().filter(|r| r.objectif > 0 || r.decomptes > 0).collect();
    let max = rows.iter().map(|r| r.objectif_periode.max(r.decomptes as f64)).fold(1.0, f64::max);
    let h = ui.text_style_height(&egui::TextStyle::Body);
    let label_w = 16.0 * h;
    let width = (ui.available_width() - label_w - 9.0 * h).max(10.0 * h);
    for r in rows {
        ui.horizontal(|ui| {
            ui.add_sized([label_w, h * 1.6], egui::Label::new(libelle_reservataire(&r.id)).truncate());
            let (rect, _) = ui.allocate_exact_size(egui::vec2(width, h * 1.6), egui::Sense::hover());
            let p = ui.painter();
            let w_obj = (r.objectif_periode / max) as f32 * width;
            let w_dec = (r.decomptes as f64 / max) as f32 * width;
            p.rect_filled(
                egui::Rect::from_min_size(rect.min, egui::vec2(w_obj, h * 0.7)),
                2.0,
                egui::Color32::from_rgb(150, 150, 150),
            );
            p.rect_filled(
                egui::Rect::from_min_size(rect.min + egui::vec2(0.0, h * 0.8), egui::vec2(w_dec, h * 0.7)),
                2.0,
                egui::Color32::from_rgb(0, 90, 160),
            );
            ui.label(format!(
                "{} / {}",
                entier(r.decomptes),
                contingents::format::logements_fr(r.objectif_periode, b.decimales())
            ));
        });
    }
    ui.horizontal(|ui| {
        ui.colored_label(egui::Color32::from_rgb(110, 110, 110), "■ objectif de la période");
        ui.colored_label(egui::Color32::from_rgb(0, 90, 160), "■ décomptés");
    });
}

/// The bilan's alerts grouped by rule (one heading, then each case), the legal ones first,
/// the objectives without saved parameters last, in grey.
fn alertes(b: &Bilan, ui: &mut egui::Ui) {
    let titre = |r: Regle| match r {
        Regle::EtatHorsQpvMin30 => "État hors QPV sous 30\u{a0}%",
        Regle::SansMiseADisposition3Mois => "Aucune mise à disposition depuis trois mois",
        Regle::DecompteEtat => "Décompte du flux de l'État",
        Regle::ParametreParDefaut => "Objectifs sans paramètres du flux enregistrés",
        Regle::EtatMax30
        | Regle::FonctionnairesMax5
        | Regle::CollectiviteMax20
        | Regle::ReductionProrata
        | Regle::TotalSup100
        | Regle::SoustraitsSupLiberations
        | Regle::ParametreAConfirmer
        | Regle::AccordPrefetRequis => "Autres alertes",
        Regle::PrioritairesSousObjectif => "Publics prioritaires sous l'objectif",
        Regle::Quartile1HorsQpvSousObjectif => "Premier quartile hors QPV sous l'objectif",
        Regle::QpvQuartiles24SousObjectif => "Quartiles 2 à 4 en QPV sous l'objectif",
    };
    let mut groupes: Vec<(Regle, Vec<&str>)> = Vec::new();
    for a in &b.alertes {
        match groupes.iter_mut().find(|(r, _)| *r == a.regle) {
            Some((_, v)) => v.push(&a.detail),
            None => groupes.push((a.regle, vec![&a.detail])),
        }
    }
    groupes.sort_by_key(|(r, _)| *r == Regle::ParametreParDefaut);
    for (r, details) in groupes {
        let couleur = if r == Regle::ParametreParDefaut { theme::DEFAUT } else { theme::ALERTE };
        let t = egui::RichText::new(format!("⚠ {} ({})", titre(r), details.len())).color(couleur).strong();
        egui::CollapsingHeader::new(t).id_salt(("alerte-bilan", r)).default_open(details.len() <= 4).show(ui, |ui| {
            for d in details {
                ui.add(egui::Label::new(egui::RichText::new(format!("• {d}")).color(couleur)).wrap());
            }
        });
    }
}

/// An event of the follow-up, as its button says it.
pub fn libelle_evenement(e: contingents::suivi::Evenement) -> &'static str {
    use contingents::suivi::Evenement;
    match e {
        Evenement::Candidats => "Candidats désignés",
        Evenement::Attribution => "Attribué en CALEOL",
        Evenement::NonAttribution => "Non attribué",
        Evenement::BailSigne => "Bail signé",
        Evenement::Reprise => "Repris",
    }
}

/// `edit`: the follow-up can be typed and documents exported (not in workshop mode, not on
/// a dossier another window holds); the orientation and the deadlines are read-only aids.
pub fn bilans(v: &BilanView, bailleurs: &[String], edit: bool, atelier: bool, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.heading("Bilans du flux");
    selection(v, bailleurs, edit, ui, &mut actions);
    // The height of the page shown: in a workshop, the table of the réservataires fills it
    // (by pages) with its total in view.
    let vue = ui.available_height();
    // Both ways: the table of a bilan is wider than a projected 1280 × 720 screen.
    egui::ScrollArea::both().id_salt("ecran-bilans").auto_shrink([false, false]).show(ui, |ui| {
        let haut = ui.cursor().top();
        if edit {
            saisie(v, bailleurs, ui, &mut actions);
            ui.collapsing("Réglages de la CIA", |ui| reglages_cia(v, ui, &mut actions));
        }
        // Projected, the table comes first and the aids after it.
        if !atelier {
            aides(v, bailleurs, ui, &mut actions);
            ui.separator();
        }
        match &v.bilan {
            Err(e) => {
                ui.colored_label(theme::ERREUR, e.to_string());
            }
            Ok(b) => {
                ui.label(format!(
                    "Du {} au {} — chaque étape comptée à sa date ; décomptés : chaque libération une fois, à l'étape de la convention.",
                    date_fr(&b.debut),
                    date_fr(&b.fin)
                ));
                if let Some(m) = b.mention_prorata() {
                    ui.label(m);
                }
                if let Some(m) = b.mention_sans_registre() {
                    ui.colored_label(theme::ALERTE, m);
                }
                if b.reservataires.is_empty() && !b.sans_flux.is_empty() {
                    ui.label(format!("Rien n'est compté : enregistrez le flux {} (écran Flux) des bailleurs exclus ; le bilan d'un seul bailleur montre déjà son registre.", b.annee));
                } else if b.reservataires.is_empty() {
                    ui.label("Aucune mise à disposition ni objectif sur cette période : importez le registre d'un bailleur (menu Importer, ou glissez le fichier sur la fenêtre) et enregistrez le flux de l'année.");
                }
                let reste = vue - (ui.cursor().top() - haut);
                tableau(b, atelier, atelier.then_some(reste), ui);
                explication_chute(b, ui);
                alertes(b, ui);
                egui::CollapsingHeader::new("Objectifs d'attribution de la convention intercommunale (CIA)")
                    .default_open(true)
                    .show(ui, |ui| objectifs_cia(b, ui));
                if !b.retards_de_reponse.is_empty() {
                    egui::CollapsingHeader::new(format!(
                        "⚠ {} mises à disposition sans réponse après leur échéance",
                        b.retards_de_reponse.len()
                    ))
                    .show(ui, |ui| {
                        for r in &b.retards_de_reponse {
                            ui.colored_label(
                                theme::ALERTE,
                                format!(
                                    "{} {} — {} — mis à disposition le {}, réponse attendue le {}",
                                    r.bailleur,
                                    r.reference,
                                    libelle_reservataire(&r.reservataire),
                                    date_fr(&r.mise_a_disposition.to_string()),
                                    date_fr(&r.echeance.to_string())
                                ),
                            );
                        }
                    });
                }
                ui.separator();
                egui::CollapsingHeader::new("Avancement : objectif contre décomptés").default_open(true).show(ui, |ui| graphique(b, ui));
                ui.collapsing("Hors flux : soustraits prévus et réalisés", |ui| {
                    egui::Grid::new("bilan-hors-flux").striped(true).show(ui, |ui| {
                        ui.strong("Catégorie");
                        ui.strong("Prévus");
                        ui.strong("Réalisés");
                        ui.end_row();
                        for (k, x) in &b.hors_flux {
                            let label = contingents::suivi::HorsFlux::parse(k).map(|h| h.label()).unwrap_or(k);
                            ui.label(label);
                            ui.label(contingents::format::logements_fr(x.prevus_periode, b.decimales()));
                            ui.label(entier(x.realises));
                            ui.end_row();
                        }
                    });
                });
                if !b.signalements.is_empty() || !b.rejets.is_empty() {
                    ui.collapsing(
                        format!("Registres : {} lignes signalées, {} mises de côté", b.signalements.len(), b.rejets.len()),
                        |ui| {
                            for s in &b.signalements {
                                ui.label(format!("{} {} : {}", s.bailleur, s.reference, s.detail));
                            }
                            for r in &b.rejets {
                                ui.label(format!("{} — {}, ligne {} : {} « {} »", r.bailleur, r.fichier, r.ligne, r.motif, r.valeur));
                            }
                        },
                    );
                }
            }
        }
        if atelier {
            ui.separator();
            aides(v, bailleurs, ui, &mut actions);
        }
    });
    actions
}
