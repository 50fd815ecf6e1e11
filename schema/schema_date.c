/*
 * schema_date.c - ISO calendar dates as day numbers (layer: schema). The conversion is Howard
 * Hinnant's days_from_civil / civil_from_days, exact for the proleptic Gregorian calendar.
 */
#include "schema.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int32_t schema__days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void schema__civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int schema__days_in_month(int y, int m)
{
    static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

int schema_date_parse(const char *s, size_t len, const char *field, schema_date_t *out,
                      knoop_error_t *err)
{
    char q[96];
    int v[8], i, y, m, d;

    if (len != 10 || s[4] != '-' || s[7] != '-')
        goto bad;
    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            goto bad;
    }
    for (i = 0; i < 4; i++)
        v[i] = s[i] - '0';
    y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12)
        goto bad;
    if (d < 1 || d > schema__days_in_month(y, m))
        return knoop_error_set(err, KNOOP_EINVAL, "%s: expected YYYY-MM-DD, got %s (no such day)",
                               field, knoop_repr(q, sizeof(q), s, len, 64));
    *out = schema__days_from_civil(y, m, d);
    return KNOOP_OK;
bad:
    return knoop_error_set(err, KNOOP_EINVAL, "%s: expected YYYY-MM-DD, got %s", field,
                           knoop_repr(q, sizeof(q), s, len, 64));
}

/* Two digits at s; -1 when not digits. */
static int schema__2d(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

int schema_timestamp_parse(const char *s, size_t len, const char *field, int64_t *ms,
                           knoop_error_t *err)
{
    char q[96];
    schema_date_t d;
    knoop_error_t ignore;
    int h, mi, se, frac = 0, fd = 0, off = 0;
    size_t i = 19;
    if (len < 20 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' ||
        schema_date_parse(s, 10, field, &d, &ignore) != KNOOP_OK)
        goto bad;
    h = schema__2d(s + 11);
    mi = schema__2d(s + 14);
    se = schema__2d(s + 17);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
        goto bad;
    if (s[i] == '.') {
        i++;
        if (i >= len || s[i] < '0' || s[i] > '9')
            goto bad;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, fd++)
            if (fd < 3)
                frac = frac * 10 + (s[i] - '0');
        for (int k = fd; k < 3; k++)
            frac *= 10;
    }
    if (i < len && (s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
        off = 0;
    } else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        int oh = schema__2d(s + i + 1), om = schema__2d(s + i + 4);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            goto bad;
        off = (oh * 60 + om) * (s[i] == '+' ? 1 : -1);
    } else {
        goto bad;
    }
    if (se == 60)
        se = 59; /* a leap second: the last millisecond of the minute is close enough */
    *ms = (((int64_t)d * 24 + h) * 60 + mi - off) * 60000 + (int64_t)se * 1000 + frac;
    return KNOOP_OK;
bad:
    return knoop_error_set(err, KNOOP_EINVAL,
                           "%s: expected an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SSZ), got %s",
                           field, knoop_repr(q, sizeof(q), s, len, 64));
}

char *schema_date_format(schema_date_t dt, char *buf)
{
    int y, m, d;
    if (dt == SCHEMA_DATE_OPEN) {
        buf[0] = '\0';
        return buf;
    }
    if (dt < SCHEMA_DATE_MIN)
        dt = SCHEMA_DATE_MIN;
    if (dt > SCHEMA_DATE_MAX)
        dt = SCHEMA_DATE_MAX;
    schema__civil_from_days(dt, &y, &m, &d);
    /* "YYYY-MM-DD" by hand (answers format many dates); y, m and d are in range after the
     * clamp. */
    unsigned v[3] = { (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u };
    memcpy(buf, "0000-00-00", 11);
    for (int i = 3; i >= 0; i--, v[0] /= 10)
        buf[i] = (char)('0' + v[0] % 10);
    buf[5] = (char)('0' + v[1] / 10);
    buf[6] = (char)('0' + v[1] % 10);
    buf[8] = (char)('0' + v[2] / 10);
    buf[9] = (char)('0' + v[2] % 10);
    return buf;
}

schema_date_t schema_date_today(void)
{
    return (schema_date_t)(time(NULL) / 86400);
}
