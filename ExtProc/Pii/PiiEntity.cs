namespace EnvoyGovern.ExtProc.Pii;

/// <summary>A kind of personal data the scanner finds.</summary>
public enum PiiEntity : byte
{
    /// <summary>An email address.</summary>
    Email = 0,

    /// <summary>A phone number: international (+, 00), North American, or national with a trunk 0.</summary>
    Phone,

    /// <summary>A payment card number (13 to 19 digits, Luhn-checked).</summary>
    CreditCard,

    /// <summary>An IBAN (country length and mod-97 checksum checked).</summary>
    Iban,

    /// <summary>A US social security number written 123-45-6789 (or with spaces).</summary>
    UsSsn,

    /// <summary>An IPv4 or IPv6 address.</summary>
    IpAddress,

    /// <summary>A match of a pattern from policy.</summary>
    Custom,
}

/// <summary>One entity found: a byte range of the scanned text.</summary>
/// <param name="Start">First byte.</param>
/// <param name="End">One past the last byte.</param>
/// <param name="Entity">What it is.</param>
/// <param name="Pattern">For <see cref="PiiEntity.Custom"/>, the index of the policy pattern; else -1.</param>
public readonly record struct PiiMatch(int Start, int End, PiiEntity Entity, int Pattern = -1)
{
    /// <summary>Length in bytes.</summary>
    public int Length => End - Start;
}

/// <summary>Names of entities in policy, findings and masks.</summary>
public static class PiiEntities
{
    /// <summary>Every built-in entity.</summary>
    public static readonly PiiEntity[] BuiltIn = [PiiEntity.Email, PiiEntity.Phone, PiiEntity.CreditCard, PiiEntity.Iban, PiiEntity.UsSsn, PiiEntity.IpAddress];

    /// <summary>The policy name (<c>creditCard</c>).</summary>
    public static string PolicyName(PiiEntity entity) => entity switch
    {
        PiiEntity.Email => "email",
        PiiEntity.Phone => "phone",
        PiiEntity.CreditCard => "creditCard",
        PiiEntity.Iban => "iban",
        PiiEntity.UsSsn => "usSsn",
        PiiEntity.IpAddress => "ipAddress",
        _ => "custom",
    };

    /// <summary>The finding and mask name (<c>credit_card</c>, mask <c>[CREDIT_CARD]</c>).</summary>
    public static string SnakeName(PiiEntity entity) => entity switch
    {
        PiiEntity.Email => "email",
        PiiEntity.Phone => "phone",
        PiiEntity.CreditCard => "credit_card",
        PiiEntity.Iban => "iban",
        PiiEntity.UsSsn => "us_ssn",
        PiiEntity.IpAddress => "ip_address",
        _ => "custom",
    };
}
