package ebmigrate

// GatherWindow is gatherWindow, for the tests of BatchEnvironmentDescribes.
const GatherWindow = gatherWindow

// RegistrationSize is the length of the RegisterTaskDefinition body a
// derived definition is registered with.
func RegistrationSize(t *Target, d *Derived) (int, error) { return requestSize(registration(t, d)) }
