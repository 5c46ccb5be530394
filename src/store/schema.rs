//! The dossier's schema and its forward migrations. `PRAGMA user_version` holds the
//! version; a dossier written by a newer Contingents is refused untouched.

pub const VERSION: i64 = 10;

/// The triggers that keep `compte_des_logements` (as SQLite keeps their text in
/// `sqlite_master`: the fingerprint checks they are these).
macro_rules! declencheurs {
    () => {
        "CREATE TRIGGER logements_ajout AFTER INSERT ON logements BEGIN UPDATE compte_des_logements SET logements = logements + 1, modifications = modifications + 1; END;
CREATE TRIGGER logements_retrait AFTER DELETE ON logements BEGIN UPDATE compte_des_logements SET logements = logements - 1, modifications = modifications + 1; END;
CREATE TRIGGER logements_modification AFTER UPDATE ON logements BEGIN UPDATE compte_des_logements SET modifications = modifications + 1; END;
"
    };
}

macro_rules! sans_declencheurs {
    () => {
        "DROP TRIGGER IF EXISTS logements_ajout;
DROP TRIGGER IF EXISTS logements_retrait;
DROP TRIGGER IF EXISTS logements_modification;
"
    };
}

/// Migration `i` brings a dossier from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 0 → 1
    r#"
    CREATE TABLE parametres (
        cle TEXT PRIMARY KEY,
        valeur TEXT NOT NULL
    );
    CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        fichier TEXT NOT NULL,
        chemin TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        date_import TEXT NOT NULL,
        lignes_lues INTEGER NOT NULL DEFAULT 0,
        logements INTEGER NOT NULL DEFAULT 0,
        rejets INTEGER NOT NULL DEFAULT 0,
        conflits INTEGER NOT NULL DEFAULT 0,
        doublons INTEGER NOT NULL DEFAULT 0,
        colonnes TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE import_bailleurs (
        import_id INTEGER NOT NULL REFERENCES imports(id),
        bailleur TEXT NOT NULL,
        actif INTEGER NOT NULL,
        PRIMARY KEY (import_id, bailleur)
    );
    CREATE TABLE logements (
        id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES imports(id),
        bailleur TEXT NOT NULL,
        reference TEXT NOT NULL,
        commune TEXT NOT NULL,
        epci TEXT NOT NULL,
        reservataire TEXT NOT NULL,
        reservataire_brut TEXT NOT NULL,
        financement TEXT NOT NULL,
        financement_brut TEXT NOT NULL,
        typologie TEXT NOT NULL,
        typologie_grille TEXT NOT NULL,
        typologie_brut TEXT NOT NULL,
        qpv INTEGER NOT NULL,
        individuel_collectif TEXT NOT NULL,
        date_fin_convention TEXT,
        annee_construction INTEGER,
        nature TEXT,
        commune_brut TEXT NOT NULL,
        feuille TEXT,
        ligne INTEGER NOT NULL,
        brut TEXT NOT NULL
    );
    CREATE INDEX logements_import ON logements(import_id, bailleur);
    CREATE TABLE rejets (
        id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES imports(id),
        bailleur TEXT NOT NULL,
        feuille TEXT,
        ligne INTEGER NOT NULL,
        motif TEXT NOT NULL,
        valeur TEXT NOT NULL,
        brut TEXT NOT NULL
    );
    CREATE INDEX rejets_import ON rejets(import_id, bailleur);
    CREATE TABLE conflits (
        id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES imports(id),
        bailleur TEXT NOT NULL,
        reference TEXT NOT NULL,
        motif TEXT NOT NULL,
        valeurs TEXT NOT NULL
    );
    CREATE TABLE correspondances (
        champ TEXT NOT NULL,
        cle TEXT NOT NULL,
        libelle TEXT NOT NULL,
        valeur TEXT NOT NULL,
        origine TEXT NOT NULL,
        PRIMARY KEY (champ, cle)
    );
    "#,
    // 1 → 2: the yearly flux parameters of each bailleur × EPCI × year.
    r#"
    CREATE TABLE flux_parametres (
        bailleur TEXT NOT NULL,
        epci TEXT NOT NULL,
        annee INTEGER NOT NULL,
        parametres TEXT NOT NULL,
        PRIMARY KEY (bailleur, epci, annee)
    );
    "#,
    // 2 → 3: « PLA CFF » is a PLS (RPLS code 14), not a PLUS; the new default labels (LLI,
    // loyer libre, intermédiaire → PLI) are seeded after this step. A user's own choice stays.
    r#"
    UPDATE correspondances SET valeur = 'PLS'
    WHERE champ = 'financement' AND cle = 'pla cff' AND origine = 'defaut';
    "#,
    // 3 → 4: the follow-up of the flux: registers of mises à disposition (imported or typed in
    // the window, `import_id` NULL), and the register rows set aside.
    r#"
    CREATE TABLE suivi_imports (
        id INTEGER PRIMARY KEY,
        fichier TEXT NOT NULL,
        chemin TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        date_import TEXT NOT NULL,
        bailleur TEXT NOT NULL,
        lignes_lues INTEGER NOT NULL DEFAULT 0,
        mises_a_disposition INTEGER NOT NULL DEFAULT 0,
        rejets INTEGER NOT NULL DEFAULT 0,
        actif INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE mises_a_disposition (
        id INTEGER PRIMARY KEY,
        import_id INTEGER REFERENCES suivi_imports(id),
        bailleur TEXT NOT NULL,
        reference TEXT NOT NULL,
        commune TEXT NOT NULL,
        epci TEXT NOT NULL,
        typologie TEXT NOT NULL,
        financement TEXT NOT NULL,
        qpv INTEGER NOT NULL,
        annee_construction INTEGER,
        reservataire TEXT,
        reservataire_brut TEXT NOT NULL DEFAULT '',
        hors_flux TEXT,
        date_liberation TEXT,
        preavis INTEGER,
        date_mise_a_disposition TEXT,
        date_validation TEXT,
        candidats INTEGER,
        date_candidats TEXT,
        date_cal TEXT,
        decision_cal TEXT,
        date_bail TEXT,
        issue TEXT NOT NULL,
        feuille TEXT,
        ligne INTEGER,
        brut TEXT NOT NULL DEFAULT '',
        signalement TEXT
    );
    CREATE INDEX mises_a_disposition_bailleur ON mises_a_disposition(bailleur, epci);
    CREATE TABLE suivi_rejets (
        id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES suivi_imports(id),
        bailleur TEXT NOT NULL,
        fichier TEXT NOT NULL,
        feuille TEXT,
        ligne INTEGER NOT NULL,
        motif TEXT NOT NULL,
        valeur TEXT NOT NULL,
        brut TEXT NOT NULL
    );
    "#,
    // 4 → 5: the dwellings index also leads to one dwelling by its reference.
    r#"
    DROP INDEX IF EXISTS logements_import;
    CREATE INDEX logements_import ON logements(import_id, bailleur, reference);
    "#,
    // 5 → 6: one numbering for the états des lieux and the registers, so that `restore
    // --import N` names one import: the registers are renumbered after the états des lieux
    // (in their order), and every new import of either kind takes the next number of both
    // (see `prochain_numero`). The application id is set by `migrate` itself.
    r#"
    CREATE TEMP TABLE decalage AS SELECT COALESCE(MAX(id), 0) AS k FROM imports;
    UPDATE suivi_imports SET id = -id;
    UPDATE suivi_imports SET id = -id + (SELECT k FROM decalage);
    UPDATE mises_a_disposition SET import_id = import_id + (SELECT k FROM decalage) WHERE import_id IS NOT NULL;
    UPDATE suivi_rejets SET import_id = import_id + (SELECT k FROM decalage);
    DROP TABLE decalage;
    CREATE INDEX IF NOT EXISTS suivi_imports_bailleur ON suivi_imports(bailleur, actif);
    "#,
    // 6 → 7: the cube kept in the dossier (`store::cube`): its cells as bytes, in parts, and
    // their fingerprint in `parametres` (`cube_empreinte`). `migrate` computes them once.
    r#"
    CREATE TABLE IF NOT EXISTS cube (
        partie INTEGER PRIMARY KEY,
        donnees BLOB NOT NULL
    );
    "#,
    // 7 → 8: the household of each lease, when the register says it (CIA objectives): the
    // value recognised (NULL: not filled in, or not recognised) and the label as written.
    r#"
    ALTER TABLE mises_a_disposition ADD COLUMN menage TEXT;
    ALTER TABLE mises_a_disposition ADD COLUMN menage_brut TEXT;
    ALTER TABLE mises_a_disposition ADD COLUMN quartile INTEGER;
    ALTER TABLE mises_a_disposition ADD COLUMN quartile_brut TEXT;
    "#,
    // 8 → 9: the changes of the dossier that are no import (a bailleur renamed), shown in the
    // history with their date.
    r#"
    CREATE TABLE IF NOT EXISTS journal (
        id INTEGER PRIMARY KEY,
        date TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    "#,
    // 9 → 10: how many dwellings the dossier holds, and how many times any of them was written,
    // kept by SQLite itself (triggers run by whatever program writes the table): the cube's
    // fingerprint reads them instead of counting the dwellings (an index of 160 MB at 5 M).
    // Written to run again on a dossier whose version number was set back.
    concat!(
        sans_declencheurs!(),
        "
    CREATE TABLE IF NOT EXISTS compte_des_logements (
        logements INTEGER NOT NULL,
        modifications INTEGER NOT NULL
    );
    DELETE FROM compte_des_logements;
    INSERT INTO compte_des_logements(logements, modifications) SELECT COUNT(*), 0 FROM logements;
    ",
        declencheurs!(),
    ),
];

/// The triggers that keep the count of the dwellings (see migration 9 → 10).
pub const DECLENCHEURS: &str = declencheurs!();

/// Drops them (a bulk import counts once at the end instead of once per row).
pub const SANS_DECLENCHEURS: &str = sans_declencheurs!();

/// The first version that keeps the count of the dwellings.
pub const VERSION_DU_COMPTE: i64 = 10;

/// The first version that keeps the cube.
pub const VERSION_DU_CUBE: i64 = 7;

/// Runs one migration. A column it adds that the table already has (a dossier whose version
/// number was set back) is left as it is: adding it again would fail the whole migration.
pub(super) fn migrer(tx: &rusqlite::Transaction, sql: &str) -> rusqlite::Result<()> {
    if !sql.contains("ADD COLUMN") {
        return tx.execute_batch(sql);
    }
    let mut reste = String::new();
    for instruction in sql.split(';') {
        let mots: Vec<&str> = instruction.split_whitespace().collect();
        if let ["ALTER", "TABLE", table, "ADD", "COLUMN", colonne, ..] = mots.as_slice() {
            let existe: bool = tx.query_row(
                &format!("SELECT COUNT(*) > 0 FROM pragma_table_info('{table}') WHERE name = ?1"),
                [colonne],
                |r| r.get(0),
            )?;
            if existe {
                continue;
            }
        }
        reste.push_str(instruction);
        reste.push(';');
    }
    tx.execute_batch(&reste)
}
