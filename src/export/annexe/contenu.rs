//! What the annex says, for both formats: its sections (the derivation of the flux, the
//! réservataire's part, the alerts), its tables (by EPCI, by commune, the stock grid, the flux
//! qualifié), its modalités, title, header and signatories.

use super::{Annexe, PerimetreAnnexe, a_le, de_le, est_etat, ids_de, origine, par_le, signataire};
use crate::consolidate::{libelle_reservataire, nom_commune, nom_epci};
use crate::export::pdf::{Entete, date_d_edition};
use crate::flux::{Flux, FluxParametres, MethodeRotation, Perimetre, Soustrait};
use crate::format::{commune_de, date_fr, entier, pourcentage};
use crate::model::{Reservataire, TypologieGrille};
use std::collections::BTreeMap;

/// A value of the annex: numbers stay numbers, rates stay rates.
#[derive(Debug, Clone)]
pub(super) enum V {
    N(u64),
    P(f64),
    T(String),
    /// A date (AAAA-MM-JJ): a date cell in the workbook.
    D(String),
    /// A year: a number without a thousands separator.
    A(i32),
}

impl V {
    pub(super) fn text(&self) -> String {
        match self {
            V::N(n) => entier(*n),
            V::P(x) => pourcentage(*x),
            V::T(s) => s.clone(),
            V::D(d) => date_fr(d),
            V::A(a) => a.to_string(),
        }
    }
}

/// A part of the annex: a title, lines (label, value), notes under them.
pub(super) struct Section {
    pub(super) titre: String,
    pub(super) lignes: Vec<(String, V)>,
    pub(super) notes: Vec<String>,
}

/// A table of the annex: a title, its columns (label, right-aligned, width in the PDF), its rows.
pub(super) struct Tableau {
    pub(super) titre: String,
    pub(super) colonnes: Vec<(&'static str, bool, f32)>,
    pub(super) lignes: Vec<Vec<V>>,
    pub(super) note: Option<String>,
}

/// « 8,0 % », or how the libérations were estimated when not from a rate.
fn methode_des_liberations(f: &Flux, p: &FluxParametres) -> (String, V) {
    if p.rotation_pct.is_none() && !p.baux_signes.is_empty() {
        let v: Vec<String> = p.baux_signes.iter().map(|n| entier(*n)).collect();
        return (
            format!(
                "Libérations estimées par la moyenne des baux signés des {} saisies ({}) ; taux de rotation qui en résulte",
                if v.len() > 1 { format!("{} années", v.len()) } else { "années".into() },
                v.join(" ; ")
            ),
            V::P(f.taux_rotation),
        );
    }
    if p.rotation_pct.is_none() && (!p.departs.is_empty() || !p.entrees.is_empty()) {
        let quoi = match p.methode_rotation.unwrap_or(MethodeRotation::Departs) {
            MethodeRotation::Entrees => "des entrées",
            MethodeRotation::Moyenne => "des départs et des entrées",
            MethodeRotation::Departs => "des départs",
        };
        return (
            format!("Taux de rotation (moyenne {quoi} des années saisies, rapportée à l'assiette)"),
            V::P(f.taux_rotation),
        );
    }
    if p.rotation_pct.is_none() && f.epcis.is_empty() {
        return ("Taux de rotation".into(), V::T("non renseigné : aucune libération comptée".into()));
    }
    if f.epcis.is_empty() {
        ("Taux de rotation".into(), V::P(f.taux_rotation))
    } else {
        ("Taux de rotation moyen (libérations / assiette ; détail par EPCI ci-dessous)".into(), V::P(f.taux_rotation))
    }
}

/// How the mutations were counted.
/// A soustrait's justification and, for a category that needs it, the préfet's agreement
/// recorded with the flux: the annex is the signed document, so the agreement is on it
/// (« Démolition bâtiment C ; accord du préfet : courrier du 12/02/2024 »). Empty when neither.
fn justification_et_accord(p: &FluxParametres, c: Soustrait) -> String {
    let j = p.justification(c);
    let accord = p.accord_prefet(c).map(|a| format!("accord du préfet : {a}"));
    [Some(j.trim().to_string()).filter(|j| !j.is_empty()), accord].into_iter().flatten().collect::<Vec<_>>().join(" ; ")
}

pub(super) fn sections(a: &Annexe) -> Vec<Section> {
    let f = &a.flux;
    let p = &f.parametres;
    let mut out = vec![];
    // The derivation of the flux.
    let territoire = match (&a.perimetre, &a.departement_gouvernant) {
        (PerimetreAnnexe::Departement(d), _) if a.couverture.is_some() => {
            format!("les EPCI du dossier dans le {}", crate::format::le_departement(d))
        }
        (PerimetreAnnexe::Departement(_), _) => a.libelle_perimetre.clone(),
        (PerimetreAnnexe::Commune { epci, .. } | PerimetreAnnexe::Epci(epci), _) => {
            format!("l'EPCI {}", nom_epci(epci))
        }
    };
    let commune = matches!(a.perimetre, PerimetreAnnexe::Commune { .. });
    let perimetre = match &a.perimetre {
        PerimetreAnnexe::Commune { insee, .. } => format!("{} ({insee})", commune_de(&nom_commune(insee))),
        PerimetreAnnexe::Epci(e) => nom_epci(e),
        PerimetreAnnexe::Departement(d) => crate::format::le_departement(d),
    };
    // A departmental annex of a dossier that is not the whole département: its EPCIs.
    let epcis_du_dossier =
        a.couverture.as_ref().map(|_| format!(" — EPCI du dossier : {}", a.epcis_du_dossier().join(", ")));
    let perimetre = format!("{perimetre}{}", epcis_du_dossier.clone().unwrap_or_default());
    let mut l: Vec<(String, V)> = vec![
        ("Réservataire".into(), V::T(libelle_reservataire(&a.reservataire))),
        ("Bailleur".into(), V::T(a.bailleur.clone())),
        ("Périmètre".into(), V::T(perimetre)),
        ("Date de référence de l'état des lieux".into(), V::D(a.date_reference.clone())),
        ("Année du flux".into(), V::A(a.annee)),
    ];
    l.push(("Parc locatif social".into(), V::N(a.parc)));
    // The motifs in the order of the fiche, those typed by hand after.
    let mut motifs: Vec<(&String, &u64)> = a.exclusions.iter().collect();
    motifs.sort_by_key(|(m, _)| crate::flux::MOTIFS_D_EXCLUSION.iter().position(|x| x == m).unwrap_or(99));
    for (m, n) in motifs {
        l.push((format!("  dont exclus : {}", libelle_exclusion(m)), V::N(*n)));
    }
    l.push(("Logements exclus de l'assiette".into(), V::N(a.exclus)));
    l.push(("Logements concernés par la gestion en flux (assiette)".into(), V::N(a.assiette)));
    if commune {
        l.push((format!("Assiette du bailleur sur {territoire}"), V::N(f.assiette)));
    }
    let (m, v) = methode_des_liberations(f, p);
    l.push((m, v));
    l.push((format!("Libérations prévisionnelles {} sur {territoire}", a.annee), V::N(f.liberations)));
    // How the mutations were counted: the EPCI's method, or the one all the EPCIs of a
    // departmental flux share.
    let methode_mutations = if f.epcis.is_empty() || p.mutations.is_some() || p.mutations_pct.is_some() {
        crate::export::methode_des_mutations(p)
    } else {
        let v: Vec<Option<String>> =
            f.epcis.iter().map(|e| crate::export::methode_des_mutations(&e.parametres)).collect();
        v.first().cloned().flatten().filter(|m| v.iter().all(|x| x.as_deref() == Some(m.as_str())))
    };
    for c in Soustrait::ALL {
        let n = f.soustraits.get(c.as_str()).copied().unwrap_or(0);
        let mut label = format!("  soustrait : {}", c.label());
        if c == Soustrait::Mutations
            && let Some(m) = &methode_mutations
        {
            label = format!("{label} ({m})");
        }
        if c.accord_prefet() && !label.contains("préfet") {
            label = format!("{label} — accord du préfet");
        }
        l.push((label, V::N(n)));
    }
    l.push(("Total des soustraits".into(), V::N(f.soustraits.values().sum())));
    l.push((format!("Flux annuel {} à répartir sur {territoire}", a.annee), V::N(f.flux)));
    if commune {
        l.push((
            format!(
                "Flux annuel {} dans la commune (part du flux au prorata de son assiette : {} / {})",
                a.annee,
                entier(a.assiette),
                entier(f.assiette)
            ),
            V::N(a.flux_perimetre),
        ));
    }
    let mut notes = vec![];
    for c in Soustrait::ALL {
        let j = justification_et_accord(p, c);
        if !j.is_empty() {
            notes.push(format!("Justification — {} : {j}.", c.court()));
        }
        // A departmental flux: each EPCI's justification, named.
        for e in &f.epcis {
            let je = justification_et_accord(&e.parametres, c);
            if !je.is_empty() && je != j {
                let nom = e.epci.as_deref().map(nom_epci).unwrap_or_default();
                notes.push(format!("Justification — {} ({nom}) : {je}.", c.court()));
            }
        }
    }
    if let Some(c) = &a.couverture {
        notes.push(c.clone());
    }
    if matches!(a.perimetre, PerimetreAnnexe::Departement(_)) && !a.departement_enregistre {
        notes.push(format!(
            "Flux départemental {} : somme des flux enregistrés pour chaque EPCI du département (aucun flux n'est enregistré pour le département lui-même) ; les parts des réservataires départementaux sont calculées sur cette somme, puis ventilées sur les EPCI et les communes.",
            a.annee
        ));
    }
    if let Some(dep) = &a.departement_gouvernant
        && !matches!(a.perimetre, PerimetreAnnexe::Departement(_))
    {
        notes.push(format!(
            "Le flux {} du bailleur est arrêté pour le département ({dep}) : les parts des réservataires départementaux sont celles de la convention départementale, ventilées sur les EPCI et les communes.",
            a.annee
        ));
    }
    out.push(Section { titre: format!("Le flux annuel {}", a.annee), lignes: l, notes });

    // The réservataire's part.
    let part_de = |n: u64| V::P(if a.assiette > 0 { n as f64 / a.assiette as f64 } else { 0.0 });
    // The State's own stock and its agents' apart (never one figure that adds them).
    let mut l: Vec<(String, V)> = if a.reservataire == Reservataire::ETAT {
        vec![
            ("Logements réservés par l'État (contingent préfectoral) dans l'assiette".into(), V::N(a.stock)),
            ("Logements réservés pour ses agents civils et militaires dans l'assiette".into(), V::N(a.stock_agents)),
            ("Part de l'État (contingent préfectoral) dans l'assiette".into(), part_de(a.stock)),
            ("Part de ses agents civils et militaires dans l'assiette".into(), part_de(a.stock_agents)),
        ]
    } else {
        vec![
            ("Logements réservés par le réservataire dans l'assiette".into(), V::N(a.stock)),
            ("Part du réservataire dans l'assiette".into(), part_de(a.stock)),
        ]
    };
    let mut notes = vec![];
    match &a.part {
        Some(part) => {
            // Its logements on the annex's perimeter first, then where its rate is measured.
            l.push((format!("Logements du réservataire en {} sur ce périmètre", a.annee), V::N(a.logements)));
            if a.reservataire == Reservataire::ETAT {
                let (e, fo) = logements_par_id(a);
                l.push(("  dont publics prioritaires".into(), V::N(e)));
                l.push(("  dont agents civils et militaires".into(), V::N(fo)));
            }
            if commune && !matches!(part.perimetre, Perimetre::Commune(_)) {
                let total: u64 = ids_de(&a.reservataire).iter().map(|id| f.logements(id)).sum();
                l.push((format!("Logements réservés {} sur {territoire}", a_le(&a.reservataire)), V::N(total)));
            }
            let suite = match part.perimetre {
                Perimetre::Departement(_) => epcis_du_dossier.clone().unwrap_or_default(),
                _ => String::new(),
            };
            l.push(("Périmètre du taux".into(), V::T(format!("{}{suite}", part.perimetre.libelle()))));
            let agents = f.part(&Reservataire::FONCTIONNAIRES);
            // The stock where the rate is measured: only when it is not the annex's own perimeter
            // (else the same figures twice).
            if a.meme_perimetre(&part.perimetre) {
            } else if a.reservataire == Reservataire::ETAT {
                let fo = agents.map(|x| x.stock).unwrap_or(0);
                l.push((
                    "Stock réservé par l'État (contingent préfectoral) dans l'assiette du périmètre du taux".into(),
                    V::N(part.stock),
                ));
                l.push(("Stock réservé pour ses agents civils et militaires dans la même assiette".into(), V::N(fo)));
                l.push(("Assiette du périmètre du taux".into(), V::N(part.assiette)));
            } else {
                l.push((
                    format!("Stock réservé par {} dans l'assiette du périmètre du taux", par_le(&a.reservataire)),
                    V::N(part.stock),
                ));
                l.push(("Assiette du périmètre du taux".into(), V::N(part.assiette)));
            }
            if a.reservataire == Reservataire::ETAT {
                let fo = agents.map(|x| x.taux).unwrap_or(0.0);
                l.push((
                    "Part totale de l'État appliquée (publics prioritaires et agents)".into(),
                    V::P(part.taux + fo),
                ));
                l.push(("  dont publics prioritaires (contingent préfectoral)".into(), V::P(part.taux)));
                l.push(("  dont agents civils et militaires de l'État".into(), V::P(fo)));
            } else {
                // The rate as applied: capped where the law caps it (the origin says so).
                l.push(("Taux de la convention".into(), V::P(part.taux)));
            }
            notes.push(format!("Origine du taux : {}.", a.origine_du_taux()));
            // The agents' rate and where it comes from, always (the State's request, the default,
            // or capped).
            if a.reservataire == Reservataire::ETAT
                && let Some(fo) = agents
            {
                notes.push(format!("Part des agents : {}.", origine(fo, f)));
            }
            if let Some(t) = part.taux_reduit {
                l.push(("Taux après réduction au prorata (parts au-delà de 100 % du flux)".into(), V::P(t)));
            }
        }
        None => l.push(("Part dans le flux".into(), V::T("aucune (ni stock ni taux fixé)".into()))),
    }
    out.push(Section { titre: format!("La part {}", de_le(&a.reservataire)), lignes: l, notes });
    // The alerts in words.
    let alertes = a.alertes();
    out.push(Section {
        titre: "Points d'attention".into(),
        lignes: vec![],
        notes: if alertes.is_empty() {
            vec!["Aucune alerte.".into()]
        } else {
            alertes.into_iter().map(|x| format!("• {}.", majuscule(&x))).collect()
        },
    });
    out
}

/// « part de l'État… » → « Part de l'État… ».
fn majuscule(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// The State's logements on the annex's perimeter: publics prioritaires, agents.
pub(super) fn logements_par_id(a: &Annexe) -> (u64, u64) {
    let f = &a.flux;
    match &a.perimetre {
        PerimetreAnnexe::Commune { insee, .. } => {
            let c = f.communes.iter().find(|c| c.commune == *insee);
            let n = |id: &str| {
                c.map(|c| c.reservataires.iter().filter(|r| r.id == id).map(|r| r.logements).sum()).unwrap_or(0)
            };
            (n(&Reservataire::ETAT), n(&Reservataire::FONCTIONNAIRES))
        }
        _ => (f.logements(&Reservataire::ETAT), f.logements(&Reservataire::FONCTIONNAIRES)),
    }
}

/// The names of the exclusion motifs, as the fiche and the annex print them.
pub fn libelle_exclusion(m: &str) -> String {
    match m {
        crate::flux::MOTIF_PLI => "PLI et logements intermédiaires (hors logement social)".into(),
        crate::flux::MOTIF_VENTE => "logements en vente (L.443-7) ou à démolir".into(),
        other => other.to_string(),
    }
}

pub(super) fn tableaux(a: &Annexe) -> Vec<Tableau> {
    let f = &a.flux;
    let mut out = vec![];
    let id = a.reservataire.as_str();
    let ids = ids_de(id);
    let de = |x: &Flux| -> u64 { ids.iter().map(|i| x.logements(i)).sum() };
    // The breakdown by EPCI (a departmental annex) and by commune.
    if let PerimetreAnnexe::Departement(_) = a.perimetre {
        out.push(Tableau {
            titre: format!("Répartition par EPCI : flux du bailleur et logements {}", de_le(id)),
            colonnes: vec![
                ("EPCI", false, 150.0),
                ("Assiette", true, 55.0),
                ("Rotation", true, 50.0),
                ("Libérations", true, 62.0),
                ("Soustraits", true, 60.0),
                ("Flux", true, 48.0),
                ("Logements", true, 70.0),
            ],
            lignes: f
                .epcis
                .iter()
                .map(|e| {
                    vec![
                        V::T(nom_epci(e.epci.as_deref().unwrap_or_default())),
                        V::N(e.assiette),
                        V::P(e.taux_rotation),
                        V::N(e.liberations),
                        V::N(e.soustraits.values().sum()),
                        V::N(e.flux),
                        V::N(de(e)),
                    ]
                })
                .chain(std::iter::once(vec![
                    V::T(
                        if a.couverture.is_some() { "Total des EPCI du dossier" } else { "Total du département" }
                            .into(),
                    ),
                    V::N(f.assiette),
                    V::P(f.taux_rotation),
                    V::N(f.liberations),
                    V::N(f.soustraits.values().sum()),
                    V::N(f.flux),
                    V::N(de(f)),
                ]))
                .collect(),
            note: (id == Reservataire::ETAT)
                .then(|| "Logements de l'État : publics prioritaires et agents civils et militaires.".to_string()),
        });
    }
    // By commune for every annex on an EPCI or a département (the State's, Action Logement's,
    // the EPCI's own…); a commune's annex is its own single commune.
    if est_etat(id) || !matches!(a.perimetre, PerimetreAnnexe::Commune { .. }) {
        let n = |c: &crate::flux::FluxCommune, id: &str| -> u64 {
            c.reservataires.iter().filter(|r| r.id == id).map(|r| r.logements).sum()
        };
        let etat = id == Reservataire::ETAT;
        // (a commune's row, or an EPCI's subtotal): flux, the logements by id.
        let ligne = |nom: String, flux: u64, v: &[u64]| -> Vec<V> {
            let total: u64 = v.iter().sum();
            let mut r = vec![V::T(nom), V::N(flux)];
            if etat {
                r.extend([V::N(v[0]), V::N(v[1])]);
            }
            r.extend([V::N(total), V::P(if flux > 0 { total as f64 / flux as f64 } else { 0.0 })]);
            r
        };
        // The communes of the réservataire's perimeter only: a commune's annex on its EPCI shows
        // its own commune (its logements are there and nowhere else), an EPCI's its communes;
        // the State, Action Logement, the département… every commune of the annex.
        let du_perimetre = |epci: Option<&str>, insee: &str| -> bool {
            match a.part.as_ref().map(|p| &p.perimetre) {
                Some(Perimetre::Commune(c)) => c == insee,
                Some(Perimetre::Epci(e)) => epci.is_none_or(|x| x == e),
                _ => true,
            }
        };
        // The communes by EPCI, each EPCI with its subtotal (a departmental annex).
        let groupes: Vec<(Option<String>, Vec<&crate::flux::FluxCommune>)> = match &a.perimetre {
            PerimetreAnnexe::Commune { insee, .. } => {
                vec![(None, f.communes.iter().filter(|c| c.commune == *insee).collect())]
            }
            PerimetreAnnexe::Epci(e) => {
                vec![(None, f.communes.iter().filter(|c| du_perimetre(Some(e), &c.commune)).collect())]
            }
            PerimetreAnnexe::Departement(_) => f
                .epcis
                .iter()
                .map(|e| {
                    let communes = e.communes.iter().filter(|c| du_perimetre(e.epci.as_deref(), &c.commune));
                    (e.epci.clone(), communes.collect::<Vec<_>>())
                })
                .filter(|(_, communes)| !communes.is_empty())
                .collect(),
        };
        let mut lignes: Vec<Vec<V>> = vec![];
        let mut total = (0u64, vec![0u64; ids.len()]);
        for (epci, communes) in &groupes {
            let mut sous = (0u64, vec![0u64; ids.len()]);
            for c in communes {
                let v: Vec<u64> = ids.iter().map(|i| n(c, i)).collect();
                lignes.push(ligne(format!("{} ({})", nom_commune(&c.commune), c.commune), c.flux, &v));
                sous.0 += c.flux;
                for (x, y) in sous.1.iter_mut().zip(&v) {
                    *x += y;
                }
            }
            // An EPCI's subtotal when there are several (else it would repeat the total).
            if let Some(e) = epci.as_ref().filter(|_| groupes.len() > 1) {
                lignes.push(ligne(format!("  Total {}", nom_epci(e)), sous.0, &sous.1));
            }
            total.0 += sous.0;
            for (x, y) in total.1.iter_mut().zip(&sous.1) {
                *x += y;
            }
        }
        if lignes.len() > 1 {
            lignes.push(ligne("Total".into(), total.0, &total.1));
        }
        let colonnes = if etat {
            vec![
                ("Commune", false, 165.0),
                ("Flux de la commune", true, 65.0),
                ("Publics prioritaires", true, 70.0),
                ("Agents de l'État", true, 65.0),
                ("État, total", true, 60.0),
                ("Part du flux", true, 70.0),
            ]
        } else {
            vec![
                ("Commune", false, 215.0),
                ("Flux de la commune", true, 90.0),
                ("Logements", true, 90.0),
                ("Part du flux", true, 100.0),
            ]
        };
        out.push(Tableau {
            titre: if matches!(a.part.as_ref().map(|p| &p.perimetre), Some(Perimetre::Commune(_))) {
                format!("Logements {} sur son territoire", de_le(id))
            } else {
                format!("Logements {} par commune", de_le(id))
            },
            colonnes,
            lignes,
            note: est_etat(id).then(|| {
                "La part de l'État s'applique uniformément dans chaque commune (à un logement près).".to_string()
            }),
        });
    }
    // The State outside QPV against its floor.
    if est_etat(id) {
        let h = &f.etat_hors_qpv;
        let statut = if h.logements >= h.plancher {
            "plancher respecté"
        } else {
            "plancher non atteint : à arbitrer avec la DDETS"
        };
        out.push(Tableau {
            titre: "Logements de l'État hors QPV (plancher de 30 %)".into(),
            colonnes: vec![("Rubrique", false, 330.0), ("Valeur", true, 165.0)],
            lignes: vec![
                vec![
                    V::T("Flux hors QPV (flux réparti selon la part de l'assiette hors QPV)".into()),
                    V::N(h.flux_hors_qpv),
                ],
                vec![V::T("Plancher : 30 % du flux hors QPV, arrondi à l'entier inférieur".into()), V::N(h.plancher)],
                vec![V::T("Logements de l'État hors QPV (flux qualifié, indicatif)".into()), V::N(h.logements)],
                vec![V::T("Constat".into()), V::T(statut.into())],
            ],
            note: (h.departemental && !matches!(a.perimetre, PerimetreAnnexe::Departement(_))).then(|| {
                "Le plancher s'apprécie sur le flux départemental : voir l'annexe départementale.".to_string()
            }),
        });
    }
    // The stock grid.
    let mut lignes: Vec<Vec<V>> = vec![];
    for fin in a.grille.rows() {
        let mut r = vec![V::T(fin.as_str().to_string())];
        r.extend(TypologieGrille::ALL.iter().map(|t| V::N(a.grille.get(fin, *t))));
        r.push(V::N(a.grille.row_total(fin)));
        lignes.push(r);
    }
    let mut r = vec![V::T("Total".into())];
    r.extend(TypologieGrille::ALL.iter().map(|t| V::N(a.grille.column_total(*t))));
    r.push(V::N(a.grille.total()));
    lignes.push(r);
    let mut colonnes: Vec<(&'static str, bool, f32)> = vec![("Financement", false, 75.0)];
    colonnes.extend(TypologieGrille::ALL.iter().map(|t| (t.as_str(), true, 55.0)));
    colonnes.push(("Total", true, 90.0));
    out.push(Tableau {
        titre: format!(
            "Stock réservé par {} (état des lieux au {}), par financement et typologie",
            if id == Reservataire::ETAT {
                "l'État et pour ses agents civils et militaires".to_string()
            } else {
                par_le(id)
            },
            date_fr(&a.date_reference)
        ),
        colonnes,
        lignes,
        note: (a.grille.total() != a.stock + a.stock_agents).then(|| {
            format!(
                "Tout le stock réservé de l'état des lieux, logements exclus de l'assiette compris (PLI, logements-foyers…) : {}, dont {} dans l'assiette{}.",
                entier(a.grille.total()),
                entier(a.stock + a.stock_agents),
                if a.stock_agents > 0 {
                    format!(
                        " ({} pour l'État, contingent préfectoral, et {} pour ses agents)",
                        entier(a.stock),
                        entier(a.stock_agents)
                    )
                } else {
                    String::new()
                }
            )
        }),
    });
    // The flux qualifié (the State's: its publics prioritaires and its agents).
    let mut cellules: BTreeMap<(crate::model::Financement, TypologieGrille, bool), Vec<u64>> = BTreeMap::new();
    for (k, i) in ids.iter().enumerate() {
        for c in f.flux_qualifie.get(i.as_str()).into_iter().flatten() {
            cellules.entry((c.financement, c.typologie, c.qpv)).or_insert_with(|| vec![0; ids.len()])[k] += c.logements;
        }
    }
    if !cellules.is_empty() && a.saisis {
        let etat = ids.len() > 1;
        let mut total = vec![0u64; ids.len()];
        let mut lignes: Vec<Vec<V>> = cellules
            .iter()
            .map(|(&(fin, typ, qpv), v)| {
                let mut r = vec![
                    V::T(fin.to_string()),
                    V::T(typ.to_string()),
                    V::T(if qpv { "QPV".into() } else { "hors QPV".into() }),
                ];
                if etat {
                    r.extend(v.iter().map(|n| V::N(*n)));
                }
                r.push(V::N(v.iter().sum()));
                for (t, n) in total.iter_mut().zip(v) {
                    *t += n;
                }
                r
            })
            .collect();
        let mut t = vec![V::T("Total".into()), V::T(String::new()), V::T(String::new())];
        if etat {
            t.extend(total.iter().map(|n| V::N(*n)));
        }
        t.push(V::N(total.iter().sum()));
        lignes.push(t);
        // A commune's own réservataire has its flux in its commune only (on its commune's annex
        // and on its EPCI's alike); the others' flux qualifié is that of the EPCI (the engine
        // does not qualify it commune by commune).
        let sa_commune = match a.part.as_ref().map(|p| &p.perimetre) {
            Some(Perimetre::Commune(c)) => Some(c),
            _ => None,
        };
        let sur = match (sa_commune, &a.perimetre) {
            (Some(c), _) => format!("dans la {}", commune_de(&nom_commune(c))),
            (None, PerimetreAnnexe::Departement(_)) => "sur le département".to_string(),
            (None, PerimetreAnnexe::Commune { epci, .. }) => {
                format!("sur l'EPCI {} (toutes ses communes)", nom_epci(epci))
            }
            (None, PerimetreAnnexe::Epci(epci)) => format!("sur l'EPCI {}", nom_epci(epci)),
        };
        out.push(Tableau {
            titre: format!("Flux qualifié {} {sur} — indicatif (financement × typologie × QPV)", a.annee),
            colonnes: if etat {
                vec![
                    ("Financement", false, 95.0),
                    ("Typologie", false, 80.0),
                    ("QPV", false, 80.0),
                    ("Publics prioritaires", true, 80.0),
                    ("Agents de l'État", true, 80.0),
                    ("Logements", true, 80.0),
                ]
            } else {
                vec![
                    ("Financement", false, 120.0),
                    ("Typologie", false, 100.0),
                    ("QPV", false, 120.0),
                    ("Logements", true, 155.0),
                ]
            },
            lignes,
            note: Some(if est_etat(id) {
                "Indicatif : une attente, pas un engagement. Le flux de l'État suit la composition de toute l'assiette."
                    .into()
            } else {
                "Indicatif : une attente, pas un engagement. Il suit la composition du stock du réservataire.".into()
            }),
        });
    }
    out
}

/// The counting and the reply deadline of the convention.
pub(super) fn modalites(a: &Annexe) -> Vec<String> {
    use crate::suivi::calendrier::RegleDelai;
    let delai = match a.regle_delai {
        RegleDelai::Preavis => {
            "15 jours ouvrés pour un préavis d'un mois, un mois pour un préavis de trois mois".to_string()
        }
        RegleDelai::UnMois => "un mois à compter de la mise à disposition, quel que soit le préavis".to_string(),
        RegleDelai::JoursOuvres(n) => format!("{n} jours ouvrés à compter de la mise à disposition"),
    };
    vec![
        format!(
            "Décompte : un logement est décompté {}, chaque libération une seule fois, réorientations comprises.",
            a.decompte.label()
        ),
        format!("Délai de réponse du réservataire : {delai} (jours fériés du département du logement)."),
    ]
}

pub(super) fn titre(a: &Annexe) -> String {
    let t = titre_definitif(a);
    if a.projet().is_some() { format!("PROJET — {t}") } else { t }
}

fn titre_definitif(a: &Annexe) -> String {
    match a.perimetre {
        PerimetreAnnexe::Departement(_) => {
            format!("Annexe départementale à la convention de réservation — {}", libelle_reservataire(&a.reservataire))
        }
        _ => format!("Annexe à la convention de réservation — {}", libelle_reservataire(&a.reservataire)),
    }
}

pub(super) fn entete(a: &Annexe) -> Entete {
    let territoire = match &a.perimetre {
        PerimetreAnnexe::Commune { insee, epci } => format!("{} ({insee}), {}", nom_commune(insee), nom_epci(epci)),
        PerimetreAnnexe::Epci(e) => nom_epci(e),
        PerimetreAnnexe::Departement(d) => crate::format::le_departement(d),
    };
    let code = match &a.perimetre {
        PerimetreAnnexe::Commune { insee, .. } => insee.clone(),
        PerimetreAnnexe::Epci(e) => e.clone(),
        PerimetreAnnexe::Departement(d) => format!("dep{d}"),
    };
    Entete {
        document: titre(a),
        mentions: vec![
            format!("Bailleur : {}", a.bailleur),
            format!("Réservataire : {}", libelle_reservataire(&a.reservataire)),
            format!("Territoire : {territoire}"),
            format!("Flux {}", a.annee),
        ],
        edition: date_d_edition(),
        reference: format!(
            "ANNEXE-{}-{}-{}-{}",
            crate::text::slug(&libelle_reservataire(&a.reservataire)),
            crate::text::slug(&a.bailleur),
            code,
            a.annee
        )
        .to_uppercase(),
    }
}

pub(super) fn parties(a: &Annexe) -> Vec<String> {
    vec![format!("Pour le bailleur {}, son représentant légal", a.bailleur), signataire(&a.reservataire)]
}
