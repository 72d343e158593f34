namespace Hub.Sandbox.Faults;

/// <summary>The current <see cref="FaultProfile"/>; read on every request, replaced by the admin surface.</summary>
public sealed class FaultSwitch
{
    private FaultProfile _current = FaultProfile.None;

    public FaultProfile Current => Volatile.Read(ref _current);

    public void Set(FaultProfile profile) => Volatile.Write(ref _current, profile);
}
