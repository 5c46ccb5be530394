//! The bilans of the flux: for a year or a semester, per bailleur or for all, each
//! réservataire's objective against each step and its décomptes, the alerts, the libérations
//! outside the flux, a chart of the progress; and two helpers of the follow-up: the
//! orientation of a freed dwelling and the reply deadline. Reads the state, emits actions.

use crate::ui::erreur::Erreur;
use crate::ui::state::{Action, BilanView, OrigineOrientation};
use crate::ui::theme;
use contingents::consolidate::libelle_reservataire;
use contingents::format::{date_fr, entier, pourcentage};
use contingents::model::{Regle, Reservataire};
use contingents::suivi::bilan::Bilan;
use contingents::suivi::calendrier::{RegleDelai, echeance};
use eframe::egui;

/// A text field kept in the UI memory (what the user is typing is not the app's state).
fn champ(ui: &mut egui::Ui, id: &str, label: &str, hint: &str, width: f32) -> String {
    let key = ui.make_persistent_id(("bilans", id));
    let mut buf: String = ui.data(|d| d.get_temp::<String>(key)).unwrap_or_default();
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(&mut buf).hint_text(hint).desired_width(width)).labelled_by(l.id);
    });
    ui.data_mut(|d| d.insert_temp(key, buf.clone()));
    buf
}

fn selection(v: &BilanView, bailleurs: &[String], edit: bool, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        let a = super::champ_annee(ui, "bilan", v.annee).unwrap_or(v.annee);
        let mut s = v.semestre;
        ui.label("Période");
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
            });
        let mut b = v.bailleur.clone();
        ui.label("Bailleur");
        egui::ComboBox::from_id_salt("bilan-bailleur")
            .selected_text(b.clone().unwrap_or_else(|| "Tous les bailleurs".into()))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut b, None, "Tous les bailleurs");
                for x in bailleurs {
                    ui.selectable_value(&mut b, Some(x.clone()), x);
                }
            });
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
fn tableau(b: &Bilan, atelier: bool, ui: &mut egui::Ui) {
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
    let entetes: Vec<&str> = ordre.iter().map(|&i| entetes[i]).collect();
    let d = b.decimales();
    let n = b.reservataires.len();
    let right = |ui: &mut egui::Ui, s: String, fort: bool| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if fort { ui.strong(s) } else { super::texte(ui, s) }
        });
    };
    let t = b.total();
    let chiffres: Vec<usize> = (1..entetes.len()).collect();
    // The last row is the total.
    super::tableau_fixe_chiffre(ui, "bilan-reservataires", &entetes, &chiffres, n + 1, |ui, l, c| {
        let c = ordre[c];
        let Some(r) = b.reservataires.get(l) else {
            match c {
                0 => {
                    ui.strong("Total");
                }
                1 => right(ui, entier(t.objectif), true),
                2 => right(ui, contingents::format::logements_fr(t.objectif_periode, d), true),
                3 => right(ui, entier(t.mises_a_disposition), true),
                4 => right(ui, entier(t.avec_candidats), true),
                5 => right(ui, entier(t.examines_cal), true),
                6 => right(ui, entier(t.attributions), true),
                7 => right(ui, entier(t.baux_signes), true),
                8 => right(ui, entier(t.decomptes), true),
                9 => right(ui, entier(t.baux_cohorte), true),
                10 => right(ui, entier(t.en_cours), true),
                11 => right(ui, entier(t.chutes), true),
                12 => right(ui, contingents::format::ecart_fr(t.ecart, d), true),
                13 => right(ui, t.taux_chute.map(pourcentage).unwrap_or_else(|| "—".into()), true),
                _ => {
                    ui.label("");
                }
            }
            return;
        };
        match c {
            0 => {
                super::texte(ui, libelle_reservataire(&r.id)).on_hover_text(format!("Décompte {}", r.decompte.label()));
            }
            1 => right(ui, entier(r.objectif), false),
            2 => right(ui, contingents::format::logements_fr(r.objectif_periode, d), false),
            3 => right(ui, entier(r.mises_a_disposition), false),
            4 => right(ui, entier(r.avec_candidats), false),
            5 => right(ui, entier(r.examines_cal), false),
            6 => right(ui, entier(r.attributions), false),
            7 => right(ui, entier(r.baux_signes), false),
            8 => right(ui, entier(r.decomptes), true),
            9 => right(ui, entier(r.baux_cohorte), false),
            10 => right(ui, entier(r.en_cours), false),
            11 => right(ui, entier(r.chutes), false),
            12 => {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let t = contingents::format::ecart_fr(r.ecart, d);
                    if r.ecart < 0.0 { ui.colored_label(theme::ALERTE, t) } else { ui.label(t) }
                });
            }
            // Nothing concluded in the period: no rate.
            _ if r.mises_a_disposition <= r.en_cours => right(ui, "—".into(), false),
            _ => right(ui, pourcentage(r.taux_chute), false),
        }
    });
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

/// One objective as a bar readable when projected: the share realised, filled, against the
/// objective, marked; the counts in words beside it.
/// `base`: the households known and the leases — printed with the share; below half known,
/// the share is indicative: a grey bar, never the green of an objective reached.
fn barre_objectif(ui: &mut egui::Ui, libelle: &str, part: Option<f64>, objectif: f64, base: (u64, u64), detail: &str) {
    let suffisante = contingents::suivi::cia::base_suffisante(base.0, base.1);
    let h = ui.text_style_height(&egui::TextStyle::Body);
    // Sizes from the text (readable in workshop mode), never from the scrolled width. The
    // name on its own line, whole (never cut); under it the bar, the share against the
    // objective and the counts, wrapped at the screen's width.
    let width = 14.0 * h;
    ui.add(egui::Label::new(egui::RichText::new(libelle).strong()).wrap());
    ui.horizontal_wrapped(|ui| {
        ui.add_space(h);
        let (rect, resp) = ui.allocate_exact_size(egui::vec2(width, h * 1.2), egui::Sense::hover());
        let p = ui.painter();
        p.rect_filled(rect, 2.0, egui::Color32::from_gray(215));
        let atteint = part.is_some_and(|x| x + 1e-9 >= objectif);
        if let Some(x) = part {
            let couleur = if !suffisante {
                egui::Color32::from_gray(120)
            } else if atteint {
                egui::Color32::from_rgb(0, 110, 60)
            } else {
                theme::ALERTE
            };
            let w = (x.clamp(0.0, 1.0) as f32) * width;
            p.rect_filled(egui::Rect::from_min_size(rect.min, egui::vec2(w, rect.height())), 2.0, couleur);
        }
        let xo = rect.min.x + (objectif.clamp(0.0, 1.0) as f32) * width;
        p.line_segment(
            [egui::pos2(xo, rect.min.y - 2.0), egui::pos2(xo, rect.max.y + 2.0)],
            egui::Stroke::new(3.0, egui::Color32::BLACK),
        );
        let pct = |x: f64| contingents::format::pourcentage_fr(x, 0);
        let part_texte = match part {
            Some(x) => format!(
                "{} réalisés pour un objectif de {} (base : {})",
                pct(x),
                pct(objectif),
                contingents::suivi::cia::base_dite(base.0, base.1)
            ),
            None => format!("— (non renseigné), objectif {}", pct(objectif)),
        };
        resp.on_hover_text(format!("{part_texte} — {detail}"));
        if part.is_some() && !atteint && suffisante {
            ui.colored_label(theme::ALERTE, super::insecable(part_texte));
        } else {
            ui.label(super::insecable(part_texte));
        }
        ui.label(super::insecable(format!("— {detail}")));
    });
}

/// The CIA objectives of the bilan: a bar per objective (each réservataire's publics
/// prioritaires, the bailleurs' own, the quartiles outside and in QPV).
fn objectifs_cia(b: &Bilan, ui: &mut egui::Ui) {
    let c = &b.cia;
    if !c.renseigne {
        ui.label("Objectifs de la CIA non renseignés : le registre ne dit pas le ménage des baux (colonnes « Public prioritaire » / « DALO » et « Quartile »).");
    }
    let nr = |n: u64| {
        if n > 0 {
            format!(" ; {} ménage{} non renseigné{}", n, if n > 1 { "s" } else { "" }, if n > 1 { "s" } else { "" })
        } else {
            String::new()
        }
    };
    ui.label("Part réalisée (barre) contre l'objectif (trait noir) ; les ménages non renseignés sont comptés à part, hors de la part.");
    ui.strong("Publics prioritaires (dont DALO)");
    for r in b.reservataires.iter().filter(|r| r.baux_signes > 0 || r.objectif_prioritaires.is_some()) {
        let Some(obj) = r.objectif_prioritaires else { continue };
        let detail = format!(
            "{} sur {} baux (dont {} DALO){}",
            r.attributions_prioritaires,
            r.baux_signes - r.non_renseignes,
            r.dont_dalo,
            nr(r.non_renseignes)
        );
        let base = (r.menages_renseignes, r.baux_signes);
        barre_objectif(ui, &libelle_reservataire(&r.id), r.part_prioritaires, obj, base, &detail);
    }
    if let Some(obj) = c.propres.objectif
        && c.propres.baux > 0
    {
        let p = &c.propres;
        let detail = format!(
            "{} sur {} baux (dont {} DALO){}",
            p.attributions_prioritaires,
            p.baux - p.non_renseignes,
            p.dont_dalo,
            nr(p.non_renseignes)
        );
        barre_objectif(ui, "Bailleur (non réservés)", p.part, obj, (p.menages_renseignes, p.baux), &detail);
    }
    ui.strong("Quartiles de ressources des ménages");
    let quartiles =
        |ui: &mut egui::Ui, qui: &str, h: &contingents::suivi::cia::HorsQpv, q: &contingents::suivi::cia::EnQpv| {
            barre_objectif(
                ui,
                &format!("{qui} — hors QPV : ménages du premier quartile (ou relogés ANRU, ORCOD)"),
                h.part,
                h.objectif,
                (h.menages_renseignes, h.baux),
                &format!(
                    "{} sur {} baux (relogés ANRU, ORCOD compris){}",
                    h.premier_quartile,
                    h.baux - h.non_renseignes,
                    nr(h.non_renseignes)
                ),
            );
            barre_objectif(
                ui,
                &format!("{qui} — en QPV : ménages des quartiles 2 à 4"),
                q.part,
                q.objectif,
                (q.menages_renseignes, q.baux),
                &format!("{} sur {} baux{}", q.quartiles_2_4, q.baux - q.non_renseignes, nr(q.non_renseignes)),
            );
        };
    let qui = b.bailleur.clone().unwrap_or_else(|| "EPCI".into());
    quartiles(ui, &qui, &c.hors_qpv, &c.qpv);
    for x in &c.bailleurs {
        quartiles(ui, &x.bailleur, &x.hors_qpv, &x.qpv);
    }
}

/// The CIA objectives of the dossier, editable (in percent).
fn reglages_cia(v: &BilanView, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    let pct = |x: f64| contingents::format::pourcentage_fr(x, 0);
    ui.label(format!(
        "En vigueur : publics prioritaires {} (collectivités, Action Logement, bailleur ; État 100 %) ; premier quartile hors QPV {} ; quartiles 2 à 4 en QPV {}.",
        pct(v.cia.prioritaires),
        pct(v.cia.quartile1),
        pct(v.cia.qpv)
    ));
    for (id, t) in &v.cia.par_reservataire {
        ui.label(format!(
            "{} : {}",
            libelle_reservataire(id),
            if *t > 0.0 { pct(*t) } else { "aucun objectif".into() }
        ));
    }
    let prioritaires = champ(ui, "cia-prioritaires", "Publics prioritaires (%)", "25", 60.0);
    let quartile1 = champ(ui, "cia-quartile1", "Premier quartile hors QPV (%)", "25", 60.0);
    let qpv = champ(ui, "cia-qpv", "Quartiles 2 à 4 en QPV (%)", "50", 60.0);
    let key = ui.make_persistent_id("cia-reservataire");
    let mut choix: String = ui.data(|x| x.get_temp(key)).unwrap_or_default();
    let options: Vec<(String, String)> = match &v.bilan {
        Ok(b) => b.reservataires.iter().map(|r| (r.id.to_string(), libelle_reservataire(&r.id))).collect(),
        Err(_) => vec![],
    };
    ui.horizontal(|ui| {
        let l = ui.label("Taux propre à un réservataire");
        egui::ComboBox::from_id_salt("cia-reservataire")
            .selected_text(
                options.iter().find(|(id, _)| *id == choix).map(|(_, l)| l.clone()).unwrap_or_else(|| "aucun".into()),
            )
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut choix, String::new(), "aucun");
                for (id, label) in &options {
                    ui.selectable_value(&mut choix, id.clone(), label);
                }
            })
            .response
            .labelled_by(l.id);
    });
    ui.data_mut(|x| x.insert_temp(key, choix.clone()));
    let taux = if choix.is_empty() {
        String::new()
    } else {
        champ(ui, "cia-taux-reservataire", "Son taux de publics prioritaires (%, vide : celui de la loi)", "", 60.0)
    };
    if ui.button("Enregistrer les objectifs de la CIA").clicked() {
        actions.push(Action::EnregistrerCia {
            prioritaires,
            quartile1,
            qpv,
            reservataire: (!choix.is_empty()).then(|| (Reservataire::new(choix.clone()), taux.clone())),
        });
    }
    message(&v.suivi, ui);
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

/// The dwelling and date whose ranking was asked in a section (kept in the UI memory): its
/// answer is shown only while the section still shows that dwelling and date.
fn orientation_demandee(ui: &egui::Ui, ici: OrigineOrientation) -> egui::Id {
    ui.make_persistent_id(("orientation-demandee", ici as u8))
}

/// The ranking of réservataires for a freed dwelling, shown in the section that asked it while
/// it shows the dwelling and date asked (another one typed: the answer, or its error, goes).
fn orientation(
    v: &BilanView,
    ici: OrigineOrientation,
    demande: (String, String, String),
    ui: &mut egui::Ui,
    actions: &mut Vec<Action>,
) {
    let Some((origine, r)) = &v.orientation else { return };
    if *origine != ici {
        return;
    }
    let cle = orientation_demandee(ui, ici);
    if ui.data(|d| d.get_temp::<(String, String, String)>(cle)).is_some_and(|x| x != demande) {
        return;
    }
    match r {
        Ok(o) => {
            // The dwelling ranked, as the command line says it.
            let l = &o.logement;
            ui.strong(format!(
                "{} {} — {} — {}{} — libéré le {}",
                l.bailleur,
                l.reference,
                contingents::consolidate::nom_commune(&l.commune),
                l.typologie,
                if l.qpv { " — QPV" } else { " — hors QPV" },
                date_fr(&o.date)
            ));
            if o.candidats.is_empty() {
                ui.label("Aucun réservataire n'a d'objectif sur ce logement cette année : choisissez le réservataire dans la liste, sans classement.");
            }
            for (i, c) in o.candidats.iter().enumerate() {
                ui.add(egui::Label::new(format!("{}. {} — {}", i + 1, libelle_reservataire(&c.id), c.raison)).wrap());
            }
            // The CIA's hints: an indication for the choice of candidates, never a rule.
            for x in &o.indications {
                ui.add(egui::Label::new(egui::RichText::new(format!("ℹ Indication (CIA) : {x}")).strong()).wrap());
            }
        }
        Err(e) => {
            ui.add(egui::Label::new(egui::RichText::new(e.to_string()).color(theme::ERREUR)).wrap());
            // What to do, one click away: the flux screen on that bailleur, EPCI and year.
            if let Erreur::FluxNonEnregistre { bailleur, epci, annee } = e
                && ui
                    .button(format!("Ouvrir le flux {} {annee} dans l'écran Flux", contingents::format::de(bailleur)))
                    .clicked()
            {
                actions.push(Action::FluxSelect { bailleur: bailleur.clone(), epci: epci.clone(), annee: *annee });
                actions.push(Action::Show(crate::ui::state::Screen::Flux));
            }
        }
    }
}

/// What a form of the follow-up did, or why it did nothing, under the form. Its line is
/// always there (empty when there is nothing to say): what is below does not move under the
/// mouse when a message comes.
fn message(m: &Option<Result<String, Erreur>>, ui: &mut egui::Ui) {
    match m {
        Some(Ok(s)) => {
            ui.add(egui::Label::new(egui::RichText::new(s).strong()).wrap());
        }
        Some(Err(e)) => {
            ui.add(egui::Label::new(egui::RichText::new(e.to_string()).color(theme::ERREUR)).wrap());
        }
        None => {
            ui.label(" ");
        }
    }
}

/// The outgoing tenant's notice, 1 or 3 months (kept in the UI memory under `id`).
fn preavis(ui: &mut egui::Ui, id: &str) -> u8 {
    let key = ui.make_persistent_id(id);
    let mut preavis: u8 = ui.data(|x| x.get_temp(key)).unwrap_or(1);
    ui.horizontal(|ui| {
        ui.label("Préavis");
        ui.radio_value(&mut preavis, 1, "1 mois");
        ui.radio_value(&mut preavis, 3, "3 mois");
    });
    ui.data_mut(|x| x.insert_temp(key, preavis));
    preavis
}

/// A text field kept in the UI memory, starting from `initial` (a new id is a new field).
fn champ_initial(ui: &mut egui::Ui, id: &str, label: &str, hint: &str, width: f32, initial: &str) -> String {
    let key = ui.make_persistent_id(("bilans", id));
    let mut buf: String = ui.data(|d| d.get_temp::<String>(key)).unwrap_or_else(|| initial.to_string());
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(&mut buf).hint_text(hint).desired_width(width)).labelled_by(l.id);
    });
    ui.data_mut(|d| d.insert_temp(key, buf.clone()));
    buf
}

/// The reference of a dwelling of `bailleur`: typed, or chosen among the bailleur's dwellings
/// that match what is typed (a list under the field, its commune, typology and financement
/// said). Kept in the UI memory under `id`, starting from `initial`.
fn choix_logement(v: &BilanView, ui: &mut egui::Ui, id: &str, label: &str, bailleur: &str, initial: &str) -> String {
    use crate::ui::state::LogementAChoisir;
    let key = ui.make_persistent_id(("bilans", id));
    let mut buf: String = ui.data(|d| d.get_temp::<String>(key)).unwrap_or_else(|| initial.to_string());
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(
            egui::TextEdit::singleline(&mut buf)
                .hint_text("tapez le début de la référence, puis choisissez le logement")
                .desired_width(220.0),
        )
        .labelled_by(l.id);
    });
    // Always one line: nothing below moves under the mouse as the reference is typed or chosen
    // (the screen scrolls sideways when the choices are many).
    {
        ui.horizontal(|ui| {
            let choisi = v.logements.iter().find(|l| l.bailleur == bailleur && l.reference == buf.trim());
            let du_bailleur = v.logements.iter().any(|l| l.bailleur == bailleur);
            match choisi {
                Some(l) => {
                    ui.weak(format!("Logement : {}", l.texte));
                }
                None if bailleur.is_empty() => {
                    ui.weak("Choisissez d'abord le bailleur.");
                }
                None if !du_bailleur => {
                    ui.weak("Écrivez la référence telle que dans l'état des lieux du bailleur.");
                }
                None => {
                    let trouves = LogementAChoisir::chercher(&v.logements, bailleur, &buf, 8);
                    if trouves.is_empty() {
                        ui.weak(format!("Aucun logement de {bailleur} dont la référence contient « {} ».", buf.trim()));
                    } else if buf.trim().is_empty() {
                        ui.weak("Par exemple :");
                    }
                    for l in trouves {
                        if ui.selectable_label(false, &l.texte).on_hover_text("Choisir ce logement").clicked() {
                            buf = l.reference.clone();
                        }
                    }
                }
            }
        });
    }
    ui.data_mut(|d| d.insert_temp(key, buf.clone()));
    buf
}

/// A value of the form kept in the UI memory under `id`, starting from `initial`.
fn memoire<T: Clone + Send + Sync + 'static>(ui: &egui::Ui, id: &str, initial: T) -> (egui::Id, T) {
    let key = ui.make_persistent_id(("bilans", id));
    let v = ui.data(|x| x.get_temp::<T>(key)).unwrap_or(initial);
    (key, v)
}

/// The bailleur of a dwelling, among the dossier's.
fn choix_bailleur(ui: &mut egui::Ui, id: &str, label: &str, bailleurs: &[String], initial: String) -> String {
    let (key, mut b) = memoire(ui, id, initial);
    ui.horizontal(|ui| {
        let l = ui.label(label);
        egui::ComboBox::from_id_salt(("choix-bailleur", id))
            .selected_text(if b.is_empty() { "choisir…".to_string() } else { b.clone() })
            .show_ui(ui, |ui| {
                for x in bailleurs {
                    ui.selectable_value(&mut b, x.clone(), x);
                }
            })
            .response
            .labelled_by(l.id);
    });
    ui.data_mut(|x| x.insert_temp(key, b.clone()));
    b
}

/// The household of a lease (CIA objectives): public prioritaire (DALO) or not, resources
/// quartile; `None` is « Non renseigné », counted apart.
fn choix_menage(
    ui: &mut egui::Ui,
    id: impl std::hash::Hash + std::fmt::Debug + Copy,
    p: &mut Option<contingents::model::Public>,
    q: &mut Option<contingents::model::Quartile>,
) {
    use contingents::model::{Public, Quartile};
    const NR: &str = "Non renseigné";
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Ménage");
        egui::ComboBox::from_id_salt(("saisie-menage", id))
            .selected_text(p.map(|x| x.label()).unwrap_or(NR))
            .show_ui(ui, |ui| {
                ui.selectable_value(p, None, NR);
                for x in Public::ALL {
                    ui.selectable_value(p, Some(x), x.label());
                }
            })
            .response
            .labelled_by(l.id);
        let l = ui.label("Quartile de ressources");
        egui::ComboBox::from_id_salt(("saisie-quartile", id))
            .selected_text(q.map(|x| x.label()).unwrap_or(NR))
            .show_ui(ui, |ui| {
                ui.selectable_value(q, None, NR);
                for x in [Quartile::Q1, Quartile::Q2, Quartile::Q3, Quartile::Q4] {
                    ui.selectable_value(q, Some(x), x.label());
                }
            })
            .response
            .labelled_by(l.id);
    });
}

/// The form « Déclarer une mise à disposition »: a new one, or the correction of one typed
/// here. Every line is always there (no line appears under the mouse as fields change).
fn formulaire(v: &BilanView, bailleurs: &[String], ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    use crate::ui::state::ValeursDeclaration;
    use contingents::suivi::HorsFlux;
    let f = &v.formulaire;
    let g = f.generation;
    let init = f.initial.clone().unwrap_or_else(|| ValeursDeclaration {
        bailleur: v.bailleur.clone().unwrap_or_default(),
        preavis: 1,
        ..Default::default()
    });
    if let Some(id) = f.correction {
        ui.strong(format!("Correction de la mise à disposition n° {id} (ses étapes suivantes sont gardées)"));
    } else {
        ui.label("La libération, le réservataire à qui le logement est proposé, la fiche navette et son échéance. Pour un bailleur qui transmet un registre, ses lignes sont déjà comptées : ne les saisissez pas ici.");
    }
    let bailleur =
        choix_bailleur(ui, &format!("saisie-bailleur-{g}"), "Bailleur du logement", bailleurs, init.bailleur.clone());
    let reference =
        choix_logement(v, ui, &format!("saisie-reference-{g}"), "Référence du logement", &bailleur, &init.reference);
    // Another dwelling chosen: the réservataire and the household chosen for the previous one
    // go (they were its classification, not this one's).
    let (kl, logement_vu) =
        memoire(ui, &format!("saisie-logement-{g}"), (init.bailleur.clone(), init.reference.clone()));
    let autre_logement = logement_vu != (bailleur.clone(), reference.trim().to_string());
    ui.data_mut(|x| x.insert_temp(kl, (bailleur.clone(), reference.trim().to_string())));
    let liberation = champ_initial(
        ui,
        &format!("saisie-liberation-{g}"),
        "Fin du préavis du locataire",
        "JJ/MM/AAAA",
        110.0,
        &init.liberation,
    );
    let (kp, mut preavis) = memoire(ui, &format!("saisie-preavis-{g}"), init.preavis);
    ui.horizontal(|ui| {
        ui.label("Préavis");
        ui.radio_value(&mut preavis, 1, "1 mois");
        ui.radio_value(&mut preavis, 3, "3 mois");
    });
    ui.data_mut(|x| x.insert_temp(kp, preavis));
    // The réservataire, among those of the bilan, or a category outside the flux. Once the
    // réservataires are ranked for this dwelling, only those whose perimeter contains it.
    let (kc, mut choix) = memoire(ui, &format!("saisie-destinataire-{g}"), init.destinataire.clone());
    if autre_logement {
        choix.clear();
    }
    let classes = match &v.orientation {
        Some((OrigineOrientation::Declaration, Ok(o)))
            if f.correction.is_none()
                && !o.candidats.is_empty()
                && bailleur == o.logement.bailleur
                && reference.trim() == o.logement.reference =>
        {
            Some(o.candidats.iter().map(|c| (c.id.to_string(), libelle_reservataire(&c.id))).collect::<Vec<_>>())
        }
        _ => None,
    };
    let filtre = classes.is_some();
    let mut options: Vec<(String, String)> = match (classes, &v.bilan) {
        (Some(c), _) => c,
        (None, Ok(b)) => b.reservataires.iter().map(|r| (r.id.to_string(), libelle_reservataire(&r.id))).collect(),
        (None, Err(_)) => vec![],
    };
    // The réservataire of the declaration corrected stays choosable.
    if !choix.is_empty() && !choix.starts_with("hors-flux:") && !options.iter().any(|(id, _)| *id == choix) {
        options.insert(0, (choix.clone(), libelle_reservataire(&choix)));
    }
    options.extend(
        HorsFlux::ALL.iter().map(|h| (format!("hors-flux:{}", h.as_str()), format!("Hors flux : {}", h.label()))),
    );
    ui.horizontal(|ui| {
        let l = ui.label("Mis à disposition de");
        egui::ComboBox::from_id_salt(("saisie-reservataire", g))
            .selected_text(
                options
                    .iter()
                    .find(|(id, _)| *id == choix)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_else(|| "choisir…".into()),
            )
            .show_ui(ui, |ui| {
                for (id, label) in &options {
                    ui.selectable_value(&mut choix, id.clone(), label);
                }
            })
            .response
            .labelled_by(l.id);
        ui.weak(if filtre {
            "(liste réduite aux réservataires dont le périmètre contient le logement)"
        } else {
            "(« Classer les réservataires » réduit la liste à ceux dont le périmètre contient le logement)"
        });
    });
    ui.data_mut(|x| x.insert_temp(kc, choix.clone()));
    let mad = champ_initial(
        ui,
        &format!("saisie-mad-{g}"),
        "Date de mise à disposition",
        "JJ/MM/AAAA",
        110.0,
        &init.mise_a_disposition,
    );
    // Always one line, so that nothing below moves as the date is typed.
    match contingents::format::parse_date(&mad).and_then(|d| echeance(d, preavis, RegleDelai::Preavis)) {
        Some(e) => ui.strong(format!("Réponse attendue au plus tard le {}", date_fr(&e.to_string()))),
        None => ui.weak("Réponse attendue au plus tard le … (après la date de mise à disposition)"),
    };
    let (km, (mut public, mut quartile)) = memoire(ui, &format!("saisie-menage-{g}"), (init.public, init.quartile));
    if autre_logement {
        (public, quartile) = (None, None);
    }
    choix_menage(ui, ("declaration", g), &mut public, &mut quartile);
    ui.data_mut(|x| x.insert_temp(km, (public, quartile)));
    let demandee = ui.make_persistent_id(("declaration-demandee", g));
    let valeurs = ValeursDeclaration {
        bailleur: bailleur.clone(),
        reference: reference.clone(),
        liberation: liberation.clone(),
        preavis,
        destinataire: choix.clone(),
        mise_a_disposition: mad.clone(),
        public,
        quartile,
    };
    ui.horizontal_wrapped(|ui| {
        if f.correction.is_none() && ui.button("Classer les réservataires pour ce logement").clicked() {
            let date = if liberation.trim().is_empty() { mad.clone() } else { liberation.clone() };
            let cle = orientation_demandee(ui, OrigineOrientation::Declaration);
            ui.data_mut(|d| {
                d.insert_temp(cle, (bailleur.trim().to_string(), reference.trim().to_string(), date.trim().to_string()))
            });
            actions.push(Action::Orienter {
                logement: format!("{}:{}", bailleur.trim(), reference.trim()),
                date,
                origine: OrigineOrientation::Declaration,
            });
        }
        let enregistrer =
            if f.correction.is_some() { "Enregistrer la correction" } else { "Enregistrer la mise à disposition" };
        if ui.button(enregistrer).clicked() {
            ui.data_mut(|d| d.insert_temp(demandee, valeurs.clone()));
            actions.push(Action::DeclarerMiseADisposition { valeurs: valeurs.clone(), correction: f.correction });
        }
        if f.correction.is_some() && ui.button("Annuler la correction").clicked() {
            actions.push(Action::AnnulerCorrection);
        }
    });
    // The answers to what was asked here, here, under the buttons; a ranking only while it is
    // the dwelling of the form (another dwelling typed: « Classer » again).
    if f.correction.is_none() {
        let date = if liberation.trim().is_empty() { mad.clone() } else { liberation.clone() };
        let demande = (bailleur.trim().to_string(), reference.trim().to_string(), date.trim().to_string());
        orientation(v, OrigineOrientation::Declaration, demande, ui, actions);
    }
    // Why the declaration was refused, while the form is as it was (changed: the message went
    // stale, it goes); a declaration saved is said until the next one.
    let perime = matches!(v.declaration, Some(Err(_)))
        && ui.data(|d| d.get_temp::<ValeursDeclaration>(demandee)).is_some_and(|x| x != valeurs);
    if perime {
        actions.push(Action::OublierRefus);
    }
    message(if perime { &None } else { &v.declaration }, ui);
}

/// Declaring a libération made available, and following the ones typed here.
fn saisie(v: &BilanView, bailleurs: &[String], ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    use contingents::suivi::{Evenement, Issue};
    let titre = match v.formulaire.correction {
        Some(id) => format!("Corriger la mise à disposition n° {id}"),
        None => "Déclarer une mise à disposition".to_string(),
    };
    egui::CollapsingHeader::new(titre)
        .id_salt("saisie-declarer")
        .open(v.formulaire.correction.map(|_| true))
        .show(ui, |ui| formulaire(v, bailleurs, ui, actions));
    egui::CollapsingHeader::new(format!("Mises à disposition saisies ici ({})", v.saisies.len()))
        .id_salt("saisies-ici")
        .show(ui, |ui| {
        if let Some(m) = &v.formulaire.supprimee {
            ui.horizontal_wrapped(|ui| {
                let quand = m.etapes.date_mise_a_disposition.map(|d| date_fr(&d.to_string())).unwrap_or_default();
                ui.label(format!("Supprimée : {} {} du {quand}.", m.bailleur, m.reference));
                if ui.button("Rétablir la mise à disposition supprimée").clicked() {
                    actions.push(Action::RetablirMiseADisposition);
                }
            });
        }
        if v.saisies.is_empty() {
            ui.label("Aucune pour l'instant.");
            message(&v.suivi, ui);
            return;
        }
        let date = champ(ui, "saisie-evenement", "Date de l'événement", "JJ/MM/AAAA", 110.0);
        message(&v.suivi, ui);
        for m in &v.saisies {
            let qui = m
                .reservataire
                .as_deref()
                .map(libelle_reservataire)
                .or_else(|| m.hors_flux.map(|h| format!("hors flux : {}", h.label())))
                .unwrap_or_default();
            let etat = match (m.etapes.issue, m.etapes.date_bail, m.etapes.decision_cal, m.etapes.date_candidats) {
                (_, Some(b), _, _) => format!("bail signé le {}", date_fr(&b.to_string())),
                (Issue::Reprise, ..) => "repris par le bailleur".into(),
                (_, _, Some(contingents::suivi::DecisionCal::Attribution), _) => "attribué en CALEOL".into(),
                (_, _, Some(_), _) => "non attribué en CALEOL".into(),
                (_, _, _, Some(_)) => "candidats désignés".into(),
                _ => "en attente de candidats".into(),
            };
            let quand = m.etapes.date_mise_a_disposition.map(|d| date_fr(&d.to_string())).unwrap_or_default();
            ui.group(|ui| {
                ui.label(format!("n° {} — {} {} — {qui} — mis à disposition le {quand} — {etat}", m.id, m.bailleur, m.reference));
                // A lease with no attribution in CALEOL recorded: asked first (a step forgotten,
                // or a lease on the wrong line).
                let cle = ui.make_persistent_id(("bail-sans-attribution", m.id));
                let mut a_confirmer: bool = ui.data(|d| d.get_temp(cle)).unwrap_or(false);
                // Deleting is asked first.
                let cle_sup = ui.make_persistent_id(("supprimer-saisie", m.id));
                let mut a_supprimer: bool = ui.data(|d| d.get_temp(cle_sup)).unwrap_or(false);
                let attribue = m.etapes.decision_cal == Some(contingents::suivi::DecisionCal::Attribution);
                ui.horizontal_wrapped(|ui| {
                    for e in [
                        Evenement::Candidats,
                        Evenement::Attribution,
                        Evenement::NonAttribution,
                        Evenement::BailSigne,
                        Evenement::Reprise,
                    ] {
                        if ui.button(libelle_evenement(e)).clicked() {
                            if e == Evenement::BailSigne && !attribue {
                                a_confirmer = true;
                            } else {
                                actions.push(Action::NoterEvenement { id: m.id, evenement: e, date: date.clone() });
                            }
                        }
                    }
                    if ui.button("Fiche navette…").clicked() {
                        actions.push(Action::FicheNavetteMiseADisposition(m.id));
                    }
                    ui.separator();
                    if ui.button("Corriger…").on_hover_text("Reprendre la déclaration dans le formulaire « Déclarer » : logement, réservataire, dates, ménage").clicked() {
                        actions.push(Action::CorrigerMiseADisposition(m.id));
                    }
                    if ui.button("Supprimer…").clicked() {
                        a_supprimer = true;
                    }
                });
                menage(m, ui, actions);
                if a_supprimer {
                    egui::Frame::group(ui.style()).fill(theme::FOND_QUESTION).show(ui, |ui| {
                        ui.label(format!(
                            "Supprimer la mise à disposition n° {} ({} {} — {qui} — le {quand}) ? Elle et ses étapes ne seront plus comptées dans le bilan (« Rétablir » la remet).",
                            m.id, m.bailleur, m.reference
                        ));
                        ui.horizontal(|ui| {
                            if ui.button("Supprimer la mise à disposition").clicked() {
                                a_supprimer = false;
                                actions.push(Action::SupprimerMiseADisposition(m.id));
                            }
                            if ui.button("Ne pas supprimer").clicked() {
                                a_supprimer = false;
                            }
                        });
                    });
                }
                ui.data_mut(|d| d.insert_temp(cle_sup, a_supprimer));
                if a_confirmer {
                    egui::Frame::group(ui.style()).fill(theme::FOND_QUESTION).show(ui, |ui| {
                        let manque = if m.etapes.date_candidats.is_none() {
                            "ni candidats désignés ni attribution en CALEOL enregistrés"
                        } else {
                            "aucune attribution en CALEOL enregistrée"
                        };
                        ui.label(format!(
                            "Bail signé sur {} {} : {manque}. Notez d'abord les étapes manquantes (boutons ci-dessus), ou le bail seul si elles n'ont pas eu lieu.",
                            m.bailleur, m.reference
                        ));
                        ui.horizontal(|ui| {
                            if ui.button("Noter le bail quand même").clicked() {
                                a_confirmer = false;
                                actions.push(Action::NoterEvenement {
                                    id: m.id,
                                    evenement: Evenement::BailSigne,
                                    date: date.clone(),
                                });
                            }
                            if ui.button("Ne pas noter le bail").clicked() {
                                a_confirmer = false;
                            }
                        });
                    });
                }
                ui.data_mut(|d| d.insert_temp(cle, a_confirmer));
            });
        }
    });
}

/// The household of a typed mise à disposition, as a register row carries it (CIA objectives):
/// public prioritaire (DALO) or not, resources quartile; « Non renseigné » is counted apart.
fn menage(m: &contingents::suivi::MiseADisposition, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    let public = m.menage.public.valeur();
    let quartile = m.menage.quartile.valeur();
    let (mut p, mut q) = (public, quartile);
    choix_menage(ui, m.id, &mut p, &mut q);
    if let contingents::model::Lu::Inconnu(s) = &m.menage.public {
        ui.label(format!("(ménage lu « {s} »)"));
    }
    if p != public || q != quartile {
        actions.push(Action::NoterMenage { id: m.id, public: p, quartile: q });
    }
}

fn aides(v: &BilanView, bailleurs: &[String], ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    ui.collapsing("Orienter un logement libéré", |ui| {
        ui.label("Une aide à la décision : les réservataires dont le périmètre contient le logement, du plus en retard au moins en retard.");
        let bailleur = choix_bailleur(ui, "orienter-bailleur", "Bailleur du logement libéré", bailleurs, v.bailleur.clone().unwrap_or_default());
        let reference = choix_logement(v, ui, "orienter-reference", "Référence du logement libéré", &bailleur, "");
        let date = champ(ui, "date", "Date de libération", "JJ/MM/AAAA", 110.0);
        let demande = (bailleur.trim().to_string(), reference.trim().to_string(), date.trim().to_string());
        if ui.button("Classer les réservataires").clicked() {
            let cle = orientation_demandee(ui, OrigineOrientation::Aide);
            ui.data_mut(|d| d.insert_temp(cle, demande.clone()));
            let logement = format!("{}:{}", bailleur.trim(), reference.trim());
            actions.push(Action::Orienter { logement, date, origine: OrigineOrientation::Aide });
        }
        orientation(v, OrigineOrientation::Aide, demande, ui, actions);
    });
    ui.collapsing("Délai de réponse d'une mise à disposition", |ui| {
        let d = champ(ui, "delai-date", "Mise à disposition le", "JJ/MM/AAAA", 130.0);
        let preavis = preavis(ui, "bilans-preavis");
        if !d.trim().is_empty() {
            match contingents::format::parse_date(&d) {
                Some(date) => match echeance(date, preavis, RegleDelai::Preavis) {
                    Some(e) => {
                        ui.strong(format!("Réponse attendue au plus tard le {}", date_fr(&e.to_string())));
                    }
                    None => {
                        ui.colored_label(theme::ERREUR, "date hors du calendrier accepté");
                    }
                },
                None => {
                    ui.colored_label(
                        theme::ERREUR,
                        format!("« {d} » n'est pas une date ; écrivez-la JJ/MM/AAAA, par exemple 15/09/2025"),
                    );
                }
            }
        }
    });
}

/// `edit`: the follow-up can be typed and documents exported (not in workshop mode, not on
/// a dossier another window holds); the orientation and the deadlines are read-only aids.
pub fn bilans(v: &BilanView, bailleurs: &[String], edit: bool, atelier: bool, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.heading("Bilans du flux");
    selection(v, bailleurs, edit, ui, &mut actions);
    // Both ways: the table of a bilan is wider than a projected 1280 × 720 screen.
    egui::ScrollArea::both().id_salt("ecran-bilans").auto_shrink([false, false]).show(ui, |ui| {
        if edit {
            saisie(v, bailleurs, ui, &mut actions);
            ui.collapsing("Réglages de la CIA", |ui| reglages_cia(v, ui, &mut actions));
        }
        aides(v, bailleurs, ui, &mut actions);
        ui.separator();
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
                if let Some(m) = b.mention_sans_registre() {
                    ui.colored_label(theme::ALERTE, m);
                }
                if b.reservataires.is_empty() && !b.sans_flux.is_empty() {
                    ui.label(format!("Rien n'est compté : enregistrez le flux {} (écran Flux) des bailleurs exclus ; le bilan d'un seul bailleur montre déjà son registre.", b.annee));
                } else if b.reservataires.is_empty() {
                    ui.label("Aucune mise à disposition ni objectif sur cette période : importez le registre d'un bailleur (menu Importer, ou glissez le fichier sur la fenêtre) et enregistrez le flux de l'année.");
                }
                tableau(b, atelier, ui);
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
    });
    actions
}
