//! The fields of the bilans' forms, kept in the UI memory (what the user is typing is not
//! the app's state): text, notice, dwelling and bailleur chosen, the message under a form.

use crate::ui::erreur::Erreur;
use crate::ui::state::BilanView;
use crate::ui::theme;
use eframe::egui;

/// A text field kept in the UI memory (what the user is typing is not the app's state).
pub(super) fn champ(ui: &mut egui::Ui, id: &str, label: &str, hint: &str, width: f32) -> String {
    let key = ui.make_persistent_id(("bilans", id));
    let mut buf: String = ui.data(|d| d.get_temp::<String>(key)).unwrap_or_default();
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(&mut buf).hint_text(hint).desired_width(width)).labelled_by(l.id);
    });
    ui.data_mut(|d| d.insert_temp(key, buf.clone()));
    buf
}

/// What a form of the follow-up did, or why it did nothing, under the form. Its line is
/// always there (empty when there is nothing to say): what is below does not move under the
/// mouse when a message comes.
pub(super) fn message(m: &Option<Result<String, Erreur>>, ui: &mut egui::Ui) {
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
pub(super) fn preavis(ui: &mut egui::Ui, id: &str) -> u8 {
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
pub(super) fn champ_initial(ui: &mut egui::Ui, id: &str, label: &str, hint: &str, width: f32, initial: &str) -> String {
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
pub(super) fn choix_logement(
    v: &BilanView,
    ui: &mut egui::Ui,
    id: &str,
    label: &str,
    bailleur: &str,
    initial: &str,
) -> String {
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
pub(super) fn memoire<T: Clone + Send + Sync + 'static>(ui: &egui::Ui, id: &str, initial: T) -> (egui::Id, T) {
    let key = ui.make_persistent_id(("bilans", id));
    let v = ui.data(|x| x.get_temp::<T>(key)).unwrap_or(initial);
    (key, v)
}

/// The bailleur of a dwelling, among the dossier's.
pub(super) fn choix_bailleur(
    ui: &mut egui::Ui,
    id: &str,
    label: &str,
    bailleurs: &[String],
    initial: String,
) -> String {
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
