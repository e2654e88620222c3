import { createRekindleApp } from './rekindle-app';

createRekindleApp().app.synth();
