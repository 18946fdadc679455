package ebmigrate

// GatherWindow is gatherWindow, for the tests of BatchEnvironmentDescribes.
const GatherWindow = gatherWindow
