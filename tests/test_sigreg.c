/* test_sigreg.c: placeholder. */
int main(void) { return 77; }
