namespace EnvoyGovern.Governance.Decisions;

/// <summary>
/// Decision ids are UUIDv7: unique across replicas without coordination, and time-ordered so that
/// audit records sort by id.
/// </summary>
public sealed class DecisionIds(TimeProvider time)
{
    /// <summary>A new id, 32 lower-case hex digits.</summary>
    public string Next() => Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
}
