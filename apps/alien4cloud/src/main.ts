import 'reflect-metadata';
console.log('placeholder');
