//! The objectives of the convention intercommunale d'attribution (CIA): the bars of the
//! bilan (each réservataire's publics prioritaires, the quartiles outside and in QPV) and the
//! dossier's objectives, editable.

use super::champs::{champ, message};
use crate::ui::state::{Action, BilanView};
use crate::ui::theme;
use contingents::consolidate::libelle_reservataire;
use contingents::model::Reservataire;
use contingents::suivi::bilan::Bilan;
use eframe::egui;

/// One objective as a bar readable when projected: the share realised, filled, against the
/// objective, marked; the counts in words beside it.
/// `base`: the households known and the leases — printed with the share; below half known,
/// the share is indicative: a grey bar, never the green of an objective reached.
pub(super) fn barre_objectif(
    ui: &mut egui::Ui,
    libelle: &str,
    part: Option<f64>,
    objectif: f64,
    base: (u64, u64),
    detail: &str,
) {
    let pct = |x: f64| contingents::format::pourcentage_fr(x, 0);
    // No share (no household known, or no quartile): nothing to draw (an empty grey bar and
    // « 0 sur 0 baux renseignés » next to « non renseigné »), the objective said in one line.
    if part.is_none() {
        let quoi = if base.1 == 0 {
            "aucun bail signé sur la période".to_string()
        } else if base.0 == 0 {
            format!("aucun ménage renseigné sur {}", contingents::format::pluriel(base.1, "bail", "baux"))
        } else {
            detail.to_string()
        };
        ui.add(
            egui::Label::new(crate::ui::screens::insecable(format!(
                "{libelle} : pas de part à mesurer, {quoi} (objectif {})",
                pct(objectif)
            )))
            .wrap(),
        );
        return;
    }
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
        let part_texte = match part {
            Some(x) => format!(
                "{} réalisés pour un objectif de {} (base : {})",
                pct(x),
                pct(objectif),
                contingents::suivi::cia::base_dite(base.0, base.1)
            ),
            None => format!("non renseigné, objectif {}", pct(objectif)),
        };
        resp.on_hover_text(format!("{part_texte} — {detail}"));
        if part.is_some() && !atteint && suffisante {
            ui.colored_label(theme::ALERTE, crate::ui::screens::insecable(part_texte));
        } else {
            ui.label(crate::ui::screens::insecable(part_texte));
        }
        ui.label(crate::ui::screens::insecable(format!("— {detail}")));
    });
}

/// The CIA objectives of the bilan: a bar per objective (each réservataire's publics
/// prioritaires, the bailleurs' own, the quartiles outside and in QPV).
pub(super) fn objectifs_cia(b: &Bilan, ui: &mut egui::Ui) {
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
    // Leases without any household known: no share to measure, the réservataires named on
    // one line with their leases and objective (not a grey bar each, « 0 sur 0 baux
    // renseignés » — the whole screen of a register that does not say the households).
    let mut sans_menage = Vec::new();
    for r in b.reservataires.iter().filter(|r| r.baux_signes > 0) {
        let Some(obj) = r.objectif_prioritaires else { continue };
        if r.menages_renseignes == 0 {
            sans_menage.push(format!(
                "{} ({}, objectif {})",
                libelle_reservataire(&r.id),
                contingents::format::pluriel(r.baux_signes, "bail", "baux"),
                contingents::format::pourcentage_fr(obj, 0)
            ));
            continue;
        }
        let detail = format!(
            "{} sur {} baux renseignés (dont {} DALO){}",
            r.attributions_prioritaires,
            r.baux_signes - r.non_renseignes,
            r.dont_dalo,
            nr(r.non_renseignes)
        );
        let base = (r.menages_renseignes, r.baux_signes);
        barre_objectif(ui, &libelle_reservataire(&r.id), r.part_prioritaires, obj, base, &detail);
    }
    if !sans_menage.is_empty() {
        ui.add(
            egui::Label::new(crate::ui::screens::insecable(format!(
                "Ménage d'aucun bail renseigné, pas de part à mesurer : {}.",
                sans_menage.join(", ")
            )))
            .wrap(),
        );
    }
    // No lease, no share to measure: the réservataires named on one line, not a bar of
    // « 0 sur 0 baux » each (a screen of empty bars when projected).
    let sans_bail: Vec<String> = b
        .reservataires
        .iter()
        .filter(|r| r.baux_signes == 0 && r.objectif_prioritaires.is_some())
        .map(|r| libelle_reservataire(&r.id))
        .collect();
    if !sans_bail.is_empty() {
        ui.add(
            egui::Label::new(format!(
                "Aucun bail signé sur la période, pas de part à mesurer : {}.",
                sans_bail.join(", ")
            ))
            .wrap(),
        );
    }
    if let Some(obj) = c.propres.objectif
        && c.propres.baux > 0
    {
        let p = &c.propres;
        let detail = format!(
            "{} sur {} baux renseignés (dont {} DALO){}",
            p.attributions_prioritaires,
            p.baux - p.non_renseignes,
            p.dont_dalo,
            nr(p.non_renseignes)
        );
        barre_objectif(ui, "Bailleur (non réservés)", p.part, obj, (p.menages_renseignes, p.baux), &detail);
    }
    ui.strong("Quartiles de ressources des ménages");
    let quartiles = |ui: &mut egui::Ui,
                     qui: &str,
                     h: &contingents::suivi::cia::HorsQpv,
                     q: &contingents::suivi::cia::EnQpv| {
        // Only relogés, no quartile said: a count, never a share (the core's rule).
        let detail = if h.part.is_none() && h.baux > 0 {
            format!(
                "aucun quartile renseigné sur {} ; {} (ANRU, ORCOD) sans leur quartile",
                contingents::format::pluriel(h.baux, "bail", "baux"),
                contingents::format::pluriel(h.relogements_sans_quartile, "relogé", "relogés")
            )
        } else {
            format!(
                "{} sur {} baux renseignés (relogés ANRU, ORCOD compris){}",
                h.premier_quartile,
                h.baux - h.non_renseignes,
                nr(h.non_renseignes)
            )
        };
        barre_objectif(
            ui,
            &format!("{qui} — hors QPV : ménages du premier quartile (ou relogés ANRU, ORCOD)"),
            h.part,
            h.objectif,
            (h.menages_renseignes, h.baux),
            &detail,
        );
        barre_objectif(
            ui,
            &format!("{qui} — en QPV : ménages des quartiles 2 à 4"),
            q.part,
            q.objectif,
            (q.menages_renseignes, q.baux),
            &format!("{} sur {} baux renseignés{}", q.quartiles_2_4, q.baux - q.non_renseignes, nr(q.non_renseignes)),
        );
    };
    let qui = b.bailleur.clone().unwrap_or_else(|| "EPCI".into());
    match c.bailleurs.as_slice() {
        // One bailleur's leases: its figures are the EPCI's, said once.
        [x] if b.bailleur.is_none() && x.hors_qpv == c.hors_qpv && x.qpv == c.qpv => {
            quartiles(ui, &format!("EPCI ({}, seul bailleur des baux)", x.bailleur), &c.hors_qpv, &c.qpv);
        }
        autres => {
            quartiles(ui, &qui, &c.hors_qpv, &c.qpv);
            for x in autres {
                quartiles(ui, &x.bailleur, &x.hors_qpv, &x.qpv);
            }
        }
    }
}

/// The CIA objectives of the dossier, editable (in percent).
pub(super) fn reglages_cia(v: &BilanView, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
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
    // The réservataire chosen (kept in the UI memory while the user types its rate).
    let key = ui.make_persistent_id("cia-reservataire");
    let mut choix: Option<Reservataire> = ui.data(|x| x.get_temp(key)).flatten();
    let options: Vec<(Reservataire, String)> = match &v.bilan {
        Ok(b) => b.reservataires.iter().map(|r| (r.id.clone(), libelle_reservataire(&r.id))).collect(),
        Err(_) => vec![],
    };
    ui.horizontal(|ui| {
        let l = ui.label("Taux propre à un réservataire");
        egui::ComboBox::from_id_salt("cia-reservataire")
            .selected_text(
                options
                    .iter()
                    .find(|(id, _)| Some(id) == choix.as_ref())
                    .map(|(_, l)| l.clone())
                    .unwrap_or_else(|| "aucun".into()),
            )
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut choix, None, "aucun");
                for (id, label) in &options {
                    ui.selectable_value(&mut choix, Some(id.clone()), label);
                }
            })
            .response
            .labelled_by(l.id);
    });
    ui.data_mut(|x| x.insert_temp(key, choix.clone()));
    let taux = match choix {
        None => String::new(),
        Some(_) => {
            champ(ui, "cia-taux-reservataire", "Son taux de publics prioritaires (%, vide : celui de la loi)", "", 60.0)
        }
    };
    if ui.button("Enregistrer les objectifs de la CIA").clicked() {
        actions.push(Action::EnregistrerCia { prioritaires, quartile1, qpv, reservataire: choix.map(|r| (r, taux)) });
    }
    message(&v.suivi, ui);
}
