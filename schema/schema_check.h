/*
 * schema_check.h - validators and normalisers for the contact data Knoop keeps about
 * municipalities and people: Dutch postcodes and addresses (NEN 5825 notation), e-mail
 * addresses, telephone numbers, websites, Dutch person names and CBS region codes.
 *
 * Layer: schema (pure functions: no I/O, no global state, callable from any thread). Handlers
 * run parameters through these before touching the store.
 *
 * Conventions shared by every function below:
 * - Input is s[0..len), read exactly: bytes after len are never looked at, and an embedded NUL
 *   is bad input, not the end of the string. Pointers are borrowed for the call.
 * - A failure returns KNOOP_EINVAL and sets err (if not NULL) to a message that names `field`
 *   and the rule, quoting the input with knoop_repr (64-byte cap), e.g.
 *   "bezoekadres.postcode: expected a Dutch postcode like '1234 AB', got '1234-ab1'".
 *   Error paths never allocate. Output parameters are written only on success.
 * - Functions with an `out`/`outsz` pair write a NUL-terminated result and return its length
 *   (>= 0); an `outsz` too small for the result gives KNOOP_ETOOLARGE.
 * - "Whitespace" is space, tab, CR and LF.
 */
#ifndef SCHEMA_CHECK_H
#define SCHEMA_CHECK_H

#include "schema.h"

/* Output buffer sizes (including the NUL) that always suffice. */
#define SCHEMA_POSTCODE_SIZE       8    /* "1234 AB" */
#define SCHEMA_CBS_GEMEENTE_SIZE   7    /* "GM0034" */
#define SCHEMA_CBS_PROVINCIE_SIZE  5    /* "PV20" */
#define SCHEMA_EMAIL_MAX           254  /* RFC 5321 path limit minus the angle brackets */
#define SCHEMA_EMAIL_SIZE          255  /* SCHEMA_EMAIL_MAX + NUL */
#define SCHEMA_PHONE_SIZE          16   /* "+31" + at most 10 digits, or "14 0" + 3 digits */
#define SCHEMA_WEBSITE_MAX         2048 /* longest accepted URL, after normalisation */
#define SCHEMA_WEBSITE_SIZE        2049 /* SCHEMA_WEBSITE_MAX + NUL */
#define SCHEMA_ADDRESS_FORMAT_SIZE 320  /* two NEN 5825 lines of a checked schema_address_t */
#define SCHEMA_PERSON_DISPLAY_SIZE 200  /* "Surname, I.N. tussenvoegsel" of a checked name */
#define SCHEMA_PERSON_KEY_SIZE     513  /* KNOOP_MAX_INDEX_NAME_BYTES + NUL; longer keys are cut */

/* ---- postcodes and addresses (schema_address.c) ---- */

/*
 * Normalises a Dutch postcode: four digits, the first not 0, then two letters A-Z in either
 * case, with any run of spaces before, between and after ("1234ab", "1234 AB", " 1234  ab ").
 * Tabs and other separators ('-') are refused. Writes "1234 AB" into out. The letter pairs SA,
 * SD and SS are never issued by PostNL and are refused with a message saying so.
 * Returns 0, or KNOOP_EINVAL.
 */
int schema_postcode_normalise(const char *s, size_t len, const char *field,
                              char out[SCHEMA_POSTCODE_SIZE], knoop_error_t *err);

/*
 * Parses a PC4 postcode area (the digits of a postcode, as in the PC4 table): exactly four ASCII
 * digits, 1000..9999, no spaces. Stores the number in *out. Returns 0, or KNOOP_EINVAL.
 */
int schema_pc4_parse(const char *s, size_t len, const char *field, unsigned *out,
                     knoop_error_t *err);

/* Address types. The values are stored: never renumber. */
typedef enum {
    SCHEMA_ADDR_BEZOEK = 1, /* bezoekadres: where the building is */
    SCHEMA_ADDR_POST = 2    /* postadres (= correspondentieadres): where mail goes */
} schema_addr_type_t;

/*
 * A Dutch address. Either a street address (street, house_number and the optional
 * house_letter and addition) or, for a postadres only, a Postbus (postbus set, the street
 * fields empty and house_number 0). All strings are NUL-terminated UTF-8.
 */
typedef struct {
    schema_addr_type_t type;
    char street[128];      /* openbare ruimte naam, e.g. "Laan 1940-1945" */
    unsigned house_number; /* 1..99999; 0 for a Postbus */
    char house_letter[2];  /* "" or one letter A-Z */
    char addition[8];      /* huisnummertoevoeging: "" or 1..4 letters/digits, upper-cased */
    char postbus[12];      /* "" or the Postbus number, digits without leading zeros */
    char postcode[8];      /* "1234 AB" */
    char place[96];        /* woonplaats as written, e.g. "Súdwest-Fryslân" */
} schema_address_t;

/*
 * Parses an address type: "bezoekadres", "postadres" or "correspondentieadres" (an alias of
 * postadres), lower case as written here. Returns 0, or KNOOP_EINVAL listing the names.
 */
int schema_addr_type_parse(const char *s, size_t len, const char *field, schema_addr_type_t *out,
                           knoop_error_t *err);

/*
 * Checks and normalises *a in place. Messages name the member, as in "field.postcode".
 * - type is SCHEMA_ADDR_BEZOEK or SCHEMA_ADDR_POST; every string member is NUL-terminated
 *   within its array, valid UTF-8 without control characters; surrounding whitespace is trimmed.
 * - postcode is required and normalised by schema_postcode_normalise; place is required.
 * - A street address has a street and house_number 1..99999; house_letter is empty or one
 *   letter A-Z (upper-cased); addition is empty or 1..4 ASCII letters/digits (upper-cased).
 * - A Postbus (postbus not empty) is 1..5 digits, value >= 1, leading zeros dropped; it is
 *   allowed only for SCHEMA_ADDR_POST, and then street, house number, letter and addition
 *   must be empty (a Postbus never has a toevoeging).
 * On error *a is left unchanged. Returns 0, or KNOOP_EINVAL.
 */
int schema_address_check(schema_address_t *a, const char *field, knoop_error_t *err);

/*
 * Writes the NEN 5825 notation of a checked address into out (size outsz): line 1 is
 * "Street 12A-3" (number, letter directly after it, addition after a dash) or "Postbus 123";
 * line 2 is "1234 AB  PLACE" (postcode, two spaces, the place upper-cased with utf8proc, so
 * "Súdwest-Fryslân" gives "SÚDWEST-FRYSLÂN"). The lines are joined by '\n', with no final
 * newline. Returns the length, KNOOP_ETOOLARGE when outsz is too small
 * (SCHEMA_ADDRESS_FORMAT_SIZE always suffices), or KNOOP_EINVAL when place is not valid UTF-8.
 * On error out is "" (when outsz > 0).
 */
int schema_address_format(const schema_address_t *a, char *out, size_t outsz);

/*
 * Parses address line 1 into a's street, house_number, house_letter, addition and postbus
 * (clearing those it does not set; type, postcode and place are left alone). The rule, after
 * trimming whitespace and splitting into space-separated words:
 * - "Postbus N" (any case; N digits, at most 5 after leading zeros, which are dropped) sets
 *   postbus.
 * - Otherwise the house number is the LAST word when it has the shape of one: digits
 *   (1..99999, no leading 0), an optional letter, and an optional "-addition" of 1..4
 *   letters/digits ("12", "12a", "12A-3", "12-bis"). So a street name may hold numbers
 *   ("Laan 1940-1945 12", "2e Hugo de Grootstraat 5"). When the last word is not a house
 *   number, it may be a separate addition of 1..4 letters/digits holding a letter, after a
 *   house number without a dash addition: a single letter is the house letter ("12 A"),
 *   anything longer the addition ("12 bis", "12a 2hg"). Everything before the house number
 *   is the street, which must not be empty.
 * A line like "Kerkstraat 12 3" therefore means street "Kerkstraat 12", number 3.
 * Returns 0, or KNOOP_EINVAL (a unchanged). Run schema_address_check afterwards.
 */
int schema_address_parse_line(const char *s, size_t len, const char *field, schema_address_t *a,
                              knoop_error_t *err);

/* ---- e-mail, telephone, website (schema_contact.c) ---- */

/*
 * Checks one e-mail address, local@domain, after trimming surrounding whitespace:
 * - local part: 1..64 bytes of RFC 5322 atext (letters, digits, !#$%&'*+/=?^_`{|}~-) and dots,
 *   not starting or ending with a dot, no "..". Quoted local parts are refused.
 * - domain: ASCII labels of 1..63 letters, digits and hyphens, not starting or ending with a
 *   hyphen, at least one dot, no trailing dot, the last label (TLD) 2 or more letters; at most
 *   253 bytes. Internationalised domains must be given in punycode (xn--...).
 * - the whole address at most SCHEMA_EMAIL_MAX (254) bytes.
 * Writes the address with its domain lower-cased (the local part keeps its case: RFC 5321
 * lets the receiving host treat it case-sensitively) into out. Returns the length, or
 * KNOOP_EINVAL, or KNOOP_ETOOLARGE when outsz is too small (SCHEMA_EMAIL_SIZE suffices).
 */
int schema_email_check(const char *s, size_t len, const char *field, char *out, size_t outsz,
                       knoop_error_t *err);

/*
 * Normalises a Dutch telephone number. Accepted, after trimming whitespace:
 * - Separators: spaces, '-', '.' and '/' anywhere between digits; one pair of parentheses
 *   around the area code ("(0416) 69 87 00"), or "(0)" right after +31 / 0031 for the trunk
 *   prefix ("+31 (0)20 624 1111"). '+' only as the first character. Letters are refused.
 * - Regular numbers: 10 digits with the leading 0 ("020 624 1111", "0416-698700",
 *   "06-12345678"), or "+31"/"0031" followed by the 9 digits without the 0 ("+31 416 698700",
 *   "0031416698700"). Written as "+31416698700". Other country codes are refused.
 * - Service numbers 0800, 0900, 0906 and 0909: the prefix plus 4 or 7 digits (8 or 11 digits
 *   with the 0: "0800-1234", "0900 1234567"). Written as "+318001234".
 * - The municipal 14-number: "14" followed by the gemeente's area code with its 0, i.e. "14"
 *   + "0" + 2 or 3 digits ("14 020", "140592", "14-0318", "14 03 20"). A 5-digit 14-number
 *   must end in one of the 30 two-digit area codes (010 ... 079), a 6-digit one must not
 *   begin with one (Dutch area codes are prefix-free), and the area code must be
 *   geographic (01-05, 07). Written as "14 020" / "14 0592".
 * Returns the length, or KNOOP_EINVAL, or KNOOP_ETOOLARGE when outsz is too small
 * (SCHEMA_PHONE_SIZE suffices).
 */
int schema_phone_normalise(const char *s, size_t len, const char *field, char *out, size_t outsz,
                           knoop_error_t *err);

/*
 * Checks and normalises a website address, after trimming surrounding whitespace:
 * - "http://" or "https://" in any case; without a "scheme://" prefix, "https://" is prepended
 *   ("www.almere.nl" -> "https://www.almere.nl/"). Other schemes are refused.
 * - host as for e-mail domains (so no IP addresses and no user name before '@'), then an
 *   optional port 1..65535, then an optional path/query/fragment of RFC 3986 characters
 *   (unreserved, sub-delims, ':', '@', '/', '?', '#', and %XX escapes). Spaces, non-ASCII
 *   bytes and other characters are refused.
 * Normalised output (RFC 3986 section 6): scheme and host lower-cased, the default port (80
 * for http, 443 for https) dropped, an empty path written as "/"; the rest is kept as given.
 * At most SCHEMA_WEBSITE_MAX bytes. Returns the length, or KNOOP_EINVAL, or KNOOP_ETOOLARGE
 * when outsz is too small (SCHEMA_WEBSITE_SIZE suffices).
 */
int schema_website_check(const char *s, size_t len, const char *field, char *out, size_t outsz,
                         knoop_error_t *err);

/* ---- Dutch person names (schema_person.c) ---- */

/* A Dutch person's name, its parts as the BRP keeps them. All strings NUL-terminated UTF-8. */
typedef struct {
    char initials[32];      /* voorletters, "P.J." */
    char first_names[128];  /* voornamen, "Pieter Jan" */
    char tussenvoegsel[32]; /* voorvoegsel, "van der" */
    char surname[128];      /* geslachtsnaam without the tussenvoegsel, "Berg" */
} schema_person_name_t;

/*
 * Checks and normalises *n in place. Messages name the member, as in "field.initials".
 * - Every member NUL-terminated within its array, valid UTF-8 without control characters;
 *   whitespace runs become one space, surrounding whitespace is trimmed.
 * - surname is required and must hold a letter. When tussenvoegsel is empty and surname
 *   starts with a known tussenvoegsel in lower case followed by a space ("van der Berg"), the
 *   tussenvoegsel is split off; a capitalised one ("Van Damme", Flemish usage) stays.
 * - tussenvoegsel: lower-cased, typographic apostrophes made "'", the words "t" and "s" written
 *   "'t" and "'s"; letters, apostrophes and single spaces only. Known ones include de, den, der,
 *   van, van de, van der, van den, van 't, ter, te, ten, 't, in 't, op de, uit de, uit den, le,
 *   la, du, d', von; unknown ones are accepted too.
 * - initials are normalised to "P.J." form ("PJ", "p.j.", "P. J.", "P-J" all give "P.J."). The
 *   text is split into groups at dots, spaces and hyphens (without any, it is one group). A
 *   group of a capital and one or two lower-case letters is one initial ("Th.", "Chr."), and
 *   so is "IJ" (any case) when the text has separators ("IJ." stays "IJ."); any other group
 *   gives one upper-cased initial per letter ("PJ" and "pj." give "P.J.", undotted "IJ" gives
 *   "I.J."). A group of more than 3 letters with a lower-case letter ("Pieter") is refused as
 *   a first name.
 * - When initials is empty they are derived from first_names: the first letter of each name
 *   (names split at spaces and hyphens), "IJ" for a name starting with IJ: "Pieter Jan" ->
 *   "P.J.", "Jan-Willem" -> "J.W.", "IJsbrand" -> "IJ.".
 * On error *n is left unchanged. Returns 0, or KNOOP_EINVAL.
 */
int schema_person_name_check(schema_person_name_t *n, const char *field, knoop_error_t *err);

/*
 * Writes the sorted display form of a checked name into out: "Surname, I.N. tussenvoegsel":
 * "Jong, P. de", "Jansen, P.J.", "Jong, de" (no initials), "Jansen" (neither). Returns the
 * length, or KNOOP_ETOOLARGE when outsz is too small (SCHEMA_PERSON_DISPLAY_SIZE suffices;
 * out is "" then, when outsz > 0).
 */
int schema_person_display(const schema_person_name_t *n, char *out, size_t outsz);

/*
 * Writes the sort key of a checked name into out: schema_name_normalise of the surname, then
 * a space and schema_name_normalise of the initials when there are initials. The tussenvoegsel
 * is left out, so "P. de Jong" gives "jong p" and sorts under J, as Dutch lists do. The key is
 * cut at outsz-1 bytes at a character boundary (the initials go first). Returns the length,
 * KNOOP_EINVAL when a member is not valid UTF-8, or KNOOP_ENOMEM (utf8proc's working buffer;
 * nothing is left allocated).
 */
int schema_person_sort_key(const schema_person_name_t *n, char *out, size_t outsz);

/*
 * Turns a free query into a key for the surname part of sort keys: a person matches when
 * their sort key equals the search key or starts with the search key followed by a space.
 * The rule, exactly:
 *   1. If the query holds a ',', only the text before the first ',' is used (the display form
 *      "Jong, P. de" puts the surname first).
 *   2. The text is normalised with schema_name_normalise ("P. de Jong" -> "p de jong").
 *   3. From both ends, repeatedly, whole words are dropped that are a single letter or digit
 *      (initials; also "'t" and "d'", which normalise to "t" and "d") or a known tussenvoegsel
 *      (longest match first, compared in normalised form, so "van der", "in 't" go at once).
 *   4. If nothing is left, the normalised text of step 2 is the key.
 * So "P. de Jong", "de jong", "Jong", "jong, p. de", "DE JONG" and "Jong P. de" all give
 * "jong". First names are not recognised ("Pieter de Jong" gives "pieter de jong"), and a
 * surname that starts with a tussenvoegsel word that was not split off at check time
 * ("Ter Horst" stored as surname) is not found by "Ter Horst" (key "horst").
 * Returns the length, KNOOP_EINVAL when the query is not valid UTF-8, or KNOOP_ENOMEM.
 */
int schema_person_search_key(const char *query, size_t len, char *out, size_t outsz);

/* ---- CBS codes (schema_cbs.c) ---- */

/*
 * Checks a CBS gemeentecode: "GM" (any case) and 4 digits, or the 4 digits alone ("0034");
 * "GM0000" and other lengths ("34", "GM34") are refused. Only the shape is checked, not that
 * the gemeente exists. Writes "GM0034" into out. Returns 0, or KNOOP_EINVAL.
 */
int schema_cbs_gemeentecode_check(const char *s, size_t len, const char *field,
                                  char out[SCHEMA_CBS_GEMEENTE_SIZE], knoop_error_t *err);

/*
 * Checks a CBS provinciecode: "PV" (any case) and 2 digits, or the 2 digits alone ("20");
 * "PV00" and other lengths are refused. Only the shape is checked (the twelve provinces are
 * PV20..PV31). Writes "PV20" into out. Returns 0, or KNOOP_EINVAL.
 */
int schema_cbs_provinciecode_check(const char *s, size_t len, const char *field,
                                   char out[SCHEMA_CBS_PROVINCIE_SIZE], knoop_error_t *err);

#endif
