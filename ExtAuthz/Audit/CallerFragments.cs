using System.Buffers;
using System.Runtime.CompilerServices;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Audit.Recording;

namespace EnvoyGovern.ExtAuthz.Audit;

/// <summary>
/// The caller's members of a Check record (<c>user.*</c> with <c>organization.id</c>, and <c>envoygovern.identity</c>)
/// already written, kept by the identity object, so that a Check by a known caller copies their bytes instead of
/// writing six to eight values one by one. Identities are made once and reused: an API key's per policy snapshot, a
/// JWT's while the token is cached, and an identity is immutable, so the same object always writes the same bytes.
/// </summary>
/// <remarks>
/// As <c>AnswerTemplates</c> keeps answers: a fixed table, compared by reference (never reading a string), an entry
/// made only for an identity that missed in its slot twice in a row, so identities made per call (mTLS) never churn
/// it; a slot holds one immutable entry, so a reader sees the old one or the new one. It keeps (at most 64 entries and
/// 64 last-missed identities) what the record says of the caller anyway, never a credential.
/// </remarks>
internal sealed class CallerFragments
{
    private const int Slots = 64;

    private readonly Entry?[] _entries = new Entry?[Slots];

    // The last identity that missed in each slot; its second miss in a row makes an entry. Kept by reference, not by
    // its object hash: two identities can share a hash, and one made per call must never be taken for a repeat.
    private readonly CallerIdentity?[] _missed = new CallerIdentity?[Slots];

    /// <summary>The written members of <paramref name="identity"/>, or null when the caller writes them (not kept yet).</summary>
    public Entry? Find(CallerIdentity identity)
    {
        var hash = RuntimeHelpers.GetHashCode(identity);
        var slot = hash & (Slots - 1);
        var entry = Volatile.Read(ref _entries[slot]);
        if (entry is not null && ReferenceEquals(entry.Identity, identity))
        {
            return entry;
        }

        if (!ReferenceEquals(Volatile.Read(ref _missed[slot]), identity))
        {
            Volatile.Write(ref _missed[slot], identity);
            return null;
        }

        entry = Build(identity);
        Volatile.Write(ref _entries[slot], entry);
        return entry;
    }

    /// <summary>Writes <c>user.*</c> and <c>organization.id</c> (nothing for no identity).</summary>
    public static void WriteUser(AuditRecordWriter w, CallerIdentity? identity)
    {
        if (identity is not null)
        {
            EcsRecordFields.WriteCaller(w, identity.Subject, identity.Groups, identity.Tenant);
        }
    }

    /// <summary>Writes <c>identity</c> (its source and credential id) inside <c>envoygovern</c>.</summary>
    public static void WriteIdentity(AuditRecordWriter w, CallerIdentity identity)
    {
        w.Member(",\"identity\":{\"source\":"u8, identity.Source);
        w.MemberIfSet(",\"credential_id\":"u8, identity.CredentialId);
        w.Raw("}"u8);
    }

    // Written by the same code as a record writes them: the same bytes.
    private static Entry Build(CallerIdentity identity)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new AuditRecordWriter(buffer);
        WriteUser(writer, identity);
        var user = buffer.WrittenSpan.ToArray();
        buffer.ResetWrittenCount();
        WriteIdentity(writer, identity);
        return new Entry(identity, user, buffer.WrittenSpan.ToArray());
    }

    /// <summary>One identity's members as a record writes them.</summary>
    /// <param name="Identity">The identity they were written from.</param>
    /// <param name="User"><c>,"user":{...},"organization":{...}</c> (either may be absent).</param>
    /// <param name="Identified"><c>,"identity":{...}</c>.</param>
    internal sealed record Entry(CallerIdentity Identity, byte[] User, byte[] Identified);
}
