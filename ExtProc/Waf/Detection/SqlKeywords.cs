using System.Collections.Frozen;

namespace EnvoyGovern.ExtProc.Waf.Detection;

/// <summary>
/// Our classification of SQL words (MySQL, PostgreSQL, MSSQL, Oracle, SQLite). Written from the SQL
/// dialects' documentation, not taken from another project. 'F' marks a function attackers use for
/// timing, file access or error-based extraction; the tokenizer reports it as 'f' with Dangerous set.
/// Function names count as functions only when '(' follows, so "count", "user", "char" stay words.
/// </summary>
internal static class SqlKeywords
{
    public const char DangerousFunction = 'F';

    private static readonly FrozenDictionary<string, char> Table = Build();

    private static readonly FrozenDictionary<string, char>.AlternateLookup<ReadOnlySpan<char>> Lookup =
        Table.GetAlternateLookup<ReadOnlySpan<char>>();

    // One bit per (length, first char, last char) that some word of the table has (see Shape). Most words of
    // text are no SQL word, and this answers them without hashing the word: prose values reach @detectSQLi
    // by the dozen on every request.
    private static readonly ulong[] Shapes = BuildShapes();

    /// <summary>Every word the table classifies (lower case).</summary>
    public static IEnumerable<string> Words => Table.Keys;

    /// <summary>The word's class, or '\0' for a plain word.</summary>
    public static char Classify(ReadOnlySpan<char> word)
    {
        if (word.Length is 0 or > 32)
        {
            return SqlTokenType.None;
        }

        var shape = Shape(word);
        if (shape >= 0 && (Shapes[shape >> 6] & (1UL << shape)) == 0)
        {
            return SqlTokenType.None;
        }

        return Lookup.TryGetValue(word, out var type) ? type : SqlTokenType.None;
    }

    // Equal words (ignoring case) have the same length and, for ASCII chars, the same low five bits of the char with
    // 0x20 set. A non-ASCII first or last char has no shape (-1): the comparison may still equal it to an ASCII
    // letter (U+0131 and 'I'), so such a word always goes to the table.
    private static int Shape(ReadOnlySpan<char> word)
    {
        var first = word[0];
        var last = word[^1];
        return (first | last) >= 0x80 ? -1 : ((word.Length & 31) << 10) | ((first | 0x20) & 31) << 5 | ((last | 0x20) & 31);
    }

    private static ulong[] BuildShapes()
    {
        var shapes = new ulong[(32 << 10) / 64];
        foreach (var word in Table.Keys)
        {
            var shape = Shape(word);
            shapes[shape >> 6] |= 1UL << shape;
        }

        return shapes;
    }

    private static FrozenDictionary<string, char> Build()
    {
        var table = new Dictionary<string, char>(StringComparer.OrdinalIgnoreCase);
        Add(table, SqlTokenType.Expression,
            "select insert update delete replace merge upsert truncate drop create alter");
        Add(table, SqlTokenType.TSql,
            "waitfor declare exec execute shutdown xp_cmdshell sp_executesql sp_oacreate sp_oamethod "
            + "sp_configure sp_makewebtask xp_regread xp_regwrite xp_dirtree openrowset opendatasource openquery");
        Add(table, SqlTokenType.Union, "union intersect except");
        Add(table, SqlTokenType.Group, "having limit offset procedure");
        Add(table, SqlTokenType.Logic, "and or xor");
        Add(table, SqlTokenType.Operator, "not like ilike rlike regexp between div mod sounds escape glob match");
        Add(table, SqlTokenType.Number, "null true false unknown current_user session_user system_user");
        Add(table, SqlTokenType.Keyword,
            "from where into table tables databases values set join inner outer cross natural "
            + "on using as is in all any some distinct top case when then else end exists outfile dumpfile "
            + "information_schema collate asc desc begin commit rollback elseif while return returns "
            + "by cast convert index view trigger column columns primary foreign key references default "
            + "delay fetch cursor open close for");
        Add(table, SqlTokenType.Function,
            "abs ascii bin database schema if exp geometrycollection multipoint polygon linestring "
            + "multipolygon multilinestring bit_length char chr char_length character_length coalesce concat concat_ws "
            + "conv count crc32 curdate current_date current_time current_timestamp curtime database_name "
            + "date_format db_name decode elt encode export_set field find_in_set floor format from_base64 "
            + "greatest group_concat hex ifnull iif instr isnull lcase least left len length locate lower "
            + "lpad ltrim make_set max md5 mid min nullif oct ord password position pow power quote rand "
            + "repeat reverse right round rpad rtrim schema_name sha sha1 sha2 soundex space str string_agg "
            + "strcmp substr substring substring_index sum sysdate to_base64 trim ucase unhex upper user "
            + "user_name uuid version host_name is_srvrolemember is_member object_id object_name "
            + "current_database current_schema pg_read_file pg_ls_dir to_char to_number nvl nvl2 rownum "
            + "rawtohex sys_context utl_raw json_extract json_keys");
        Add(table, DangerousFunction,
            "sleep pg_sleep benchmark load_file extractvalue updatexml xmltype sys_eval sys_exec "
            + "get_lock name_const receive_message get_host_address get_host_name randomblob lo_import "
            + "lo_export pg_read_binary_file dblink_connect xp_fileexist");
        return table.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private static void Add(Dictionary<string, char> table, char type, string words)
    {
        foreach (var word in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            table[word] = type;
        }
    }
}
